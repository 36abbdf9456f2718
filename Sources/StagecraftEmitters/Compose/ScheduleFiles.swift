import StagecraftOutput
import StagecraftPlanner

/// One line of an environment's crontab.
struct ScheduledJob: Equatable {
    /// Names the job's log, syslog tag and heartbeat: `[a-z0-9-]`.
    var name: String
    var description: String
    /// A cron expression (UTC).
    var schedule: String
    /// Run from the environment's folder on the host.
    var command: String
}

/// The host's schedule for a compose environment: the crontab every deploy installs, and the
/// wrapper each job runs through so that a failure is reported and a success leaves a heartbeat.
struct ScheduleFiles {
    let layout: ComposeLayout
    let jobs: [ScheduledJob]

    static let crontab = "ops/crontab"
    static let wrapper = "ops/cron-job.sh"

    func files(_ templates: TemplateLibrary) throws -> [GeneratedFile] {
        guard !jobs.isEmpty else { return [] }
        let context: [String: Any] = [
            "project": layout.project,
            "jobs": jobs.map { job in
                ["name": job.name, "description": job.description, "schedule": job.schedule, "directory": layout.hostDirectory, "command": job.command]
            },
        ]
        return [
            try GeneratedFile(path: "\(layout.folder)/\(Self.crontab)", text: templates.render("compose/crontab", context), commentStyle: .hash),
            try GeneratedFile(path: "\(layout.folder)/\(Self.wrapper)", text: templates.render("compose/cron-job.sh", [:]), executable: true, commentStyle: .hash),
        ]
    }
}
