import StagecraftPlanner

/// On a pull/merge request, squawk reads the SQL migrations it adds and reports what would lock
/// or rewrite a busy table: an index built without CONCURRENTLY, a column type change that
/// rewrites the table, a NOT NULL column without a default. Migrations already merged are
/// not read again; a `.squawk.toml` at the repository's root tunes the rules.
struct MigrationLintSteps {
    let lints: [MigrationLint]

    static let squawkVersion = "2.70.0"

    var steps: [CIStep] {
        [
            CIStep("Install squawk", .run("""
                set -euo pipefail
                tools="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/squawk"
                python3 -m venv "$tools"
                "$tools/bin/pip" install --quiet --disable-pip-version-check squawk-cli==\(Self.squawkVersion)
                """)),
            CIStep("Lint the migrations this change adds", .run(lint), environment: [CIStep.Variable("BASE_SHA", .pullRequestBase)]),
        ]
    }

    private var lint: String {
        var script = """
            set -euo pipefail
            PATH="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/squawk/bin:$PATH"
            # A shallow clone may lack the base the change is compared with: fetch it.
            if ! git cat-file -e "$BASE_SHA^{commit}" 2>/dev/null; then
              git fetch --quiet --no-tags --depth=1 origin "$BASE_SHA"
            fi
            status=0

            """
        for lint in lints {
            let folder = FormatQuoting.shell(lint.folder + "/")
            script += """
                mapfile -t added < <(git diff --name-only --diff-filter=A "$BASE_SHA" HEAD -- \(folder) | grep -E '\\.sql$' || true)
                if [ "${#added[@]}" -gt 0 ]; then
                  squawk --pg-version \(lint.postgresVersion) "${added[@]}" || status=1
                else
                  echo \(FormatQuoting.shell("No migration added in \(lint.folder)."))
                fi

                """
        }
        return script + "exit \"$status\""
    }
}
