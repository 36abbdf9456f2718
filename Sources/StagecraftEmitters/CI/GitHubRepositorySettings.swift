import StagecraftPlanner

/// `.github/configure-repository.sh`: what the generated workflows assume of the GitHub
/// repository, set through the API (`gh api`): each deploy environment, deployable only from its
/// branch, with required reviewers where the stack asks for approval; and the default branch's
/// protection, requiring the checks a pull request runs. Run once by someone who administers
/// the repository, again after the environments change.
struct GitHubRepositorySettings {
    static let path = ".github/configure-repository.sh"

    let graph: PipelineGraph
    let plan: StackPlan

    /// The checks every pull request runs, by the names GitHub reports them under.
    private var requiredChecks: [String] {
        graph.ciJobs.filter { $0.trigger != .defaultBranch && $0.images.isEmpty }.map(\.name)
    }

    var script: String {
        let environments = plan.pipeline.deploys.map { target in
            "configure_environment \(FormatQuoting.shell(target.environment)) \(FormatQuoting.shell(target.branch)) \(target.requiresApproval ? "approval" : "no-approval")"
        }
        let checks = requiredChecks.map { "  " + FormatQuoting.shell($0) }.joined(separator: "\n")
        return """
            #!/usr/bin/env bash
            # What the workflows assume of the repository: each deploy environment, deployable only
            # from its branch, with required reviewers where the stack asks for approval; and the
            # protection of the default branch, requiring the checks every pull request runs.
            # It replaces the branch's protection settings with these.
            #
            # Run it once, with gh logged in as an administrator of the repository:
            #   .github/configure-repository.sh OWNER/REPOSITORY REVIEWER...
            # A REVIEWER is a user's login or an organization's team (ORG/TEAM).
            set -euo pipefail

            if [ $# -lt 1 ]; then
              echo "usage: $0 OWNER/REPOSITORY [REVIEWER...]" >&2
              exit 2
            fi
            repository="$1"
            shift

            # The reviewers as the API names them: {"type": "User" or "Team", "id": …}.
            reviewers='[]'
            for reviewer in "$@"; do
              if [[ "$reviewer" == */* ]]; then
                id="$(gh api "orgs/${reviewer%%/*}/teams/${reviewer#*/}" --jq .id)"
                type=Team
              else
                id="$(gh api "users/$reviewer" --jq .id)"
                type=User
              fi
              reviewers="$(jq --compact-output --arg type "$type" --argjson id "$id" '. + [{type: $type, id: $id}]' <<< "$reviewers")"
            done

            configure_environment() {
              local name="$1" branch="$2" approval="$3" policy_reviewers='[]'
              if [ "$approval" = approval ]; then
                if [ "$reviewers" = '[]' ]; then
                  echo "$name deploys after a reviewer approves: name at least one REVIEWER." >&2
                  exit 2
                fi
                policy_reviewers="$reviewers"
              fi
              jq --null-input --argjson reviewers "$policy_reviewers" \\
                '{reviewers: $reviewers, deployment_branch_policy: {protected_branches: false, custom_branch_policies: true}}' \\
                | gh api --method PUT "repos/$repository/environments/$name" --input - > /dev/null
              if ! gh api "repos/$repository/environments/$name/deployment-branch-policies" --jq '.branch_policies[].name' | grep --quiet --line-regexp --fixed-strings "$branch"; then
                gh api --method POST "repos/$repository/environments/$name/deployment-branch-policies" -f name="$branch" -f type=branch > /dev/null
              fi
              echo "$name: deploys from $branch$([ "$approval" = approval ] && echo ", after a reviewer approves")"
            }

            \(environments.joined(separator: "\n"))

            checks=(
            \(checks)
            )
            jq --null-input --args '{
                required_status_checks: {strict: true, contexts: $ARGS.positional},
                enforce_admins: true,
                required_pull_request_reviews: {required_approving_review_count: 1, dismiss_stale_reviews: true},
                restrictions: null
              }' "${checks[@]}" \\
              | gh api --method PUT "repos/$repository/branches/"\(FormatQuoting.shell(plan.pipeline.defaultBranch))"/protection" --input - > /dev/null
            echo \(FormatQuoting.shell(plan.pipeline.defaultBranch))": pull requests need a review and these checks: ${checks[*]}"

            """
    }
}
