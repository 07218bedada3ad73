import ArgumentParser
import Foundation
import Resources

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show an application as a tree: components, workloads, traits, scopes, data edges, conditions, errors.",
        discussion: """
            AppConfig → each component (its revision) → its workload → its traits → its scopes, \
            with their health; every data edge with the value it passed or why it waits; the \
            AppConfig's conditions; the last error with the object and field path it concerns.

            --watch redraws the tree when something changes (on a terminal; piped, it prints the \
            tree again); with -o json it writes one JSON document per line (NDJSON) at each change.

            Exit codes: 0 healthy (or of a kind that reports no readiness), 3 not healthy (progressing or failing), 1 an error (no such \
            application, no server).

            Examples:
              mizzen status shop
              mizzen status shop -o json | jq '.dataEdges'
              mizzen status shop --watch
            """)

    @Argument(help: "The ApplicationConfiguration.")
    var app: String

    @OptionGroup var target: TargetOptions

    @Option(name: [.customShort("o"), .customLong("output")], help: "json or yaml instead of the tree.")
    var output: DataFormat?

    @Flag(name: [.customShort("w"), .customLong("watch")], help: "Show the status again at each change, until interrupted.")
    var watch = false

    @OptionGroup var style: StyleOptions

    func run() async throws {
        let terminal = style.terminal
        let connected = try await target.connect()
        let health = try await connected.use { target in
            let inspector = AppInspector(client: target.client)
            var report = try await inspector.report(name: app, namespace: target.namespace)
            var last = render(report, terminal: terminal)
            StandardOutput.write(last.text)
            while watch {
                try await Task.sleep(for: .milliseconds(500))
                report = try await inspector.report(name: app, namespace: target.namespace)
                let next = render(report, terminal: terminal)
                guard next.comparable != last.comparable else { continue }
                if terminal.isTTY, output == nil { StandardOutput.write("\u{1B}[H\u{1B}[2J") }
                StandardOutput.write(next.text)
                last = next
            }
            return report.health
        }
        // `unknown`: running, of a kind that reports no readiness — not a failure.
        if health != .healthy, health != .unknown { throw ExitStatus.unhealthy }
    }

    private func render(_ report: AppReport, terminal: Terminal) -> (text: String, comparable: String) {
        switch output {
        case .json?:
            let text = report.json.jsonString(pretty: !watch) + "\n"
            return (text, text)
        case .yaml?:
            let text = (watch ? "---\n" : "") + report.json.yamlString()
            return (text, text)
        case nil:
            let text = StatusTree.render(report, terminal: terminal)
            return (text, StatusTree.render(report, terminal: .plain))
        }
    }
}
