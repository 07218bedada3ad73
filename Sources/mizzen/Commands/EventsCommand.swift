import OrderedCollections
import ArgumentParser
import Foundation
import KubeClient
import OAMControllers
import Resources

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "The Events of an application and of everything it owns, merged and sorted by time.",
        discussion: """
            The Events about the ApplicationConfiguration, its workloads, traits and scopes, and \
            what those own in turn (Deployments, ReplicaSets, Pods, Services, Jobs… found \
            through ownerReferences and the app.oam.dev/name label), oldest first, with kubectl's \
            columns: LAST SEEN (with `(xN over T)` for a repeated Event), TYPE, REASON, OBJECT, \
            MESSAGE. Piped, each row is one line of tab-separated fields.

            -w keeps watching and prints each new or repeated Event as it comes (objects that \
            appear later, such as the Pods of a rollout, are recognised by their owners). \
            -o json prints the Events as a v1 List, or, with -w, one Event per line (NDJSON).

            Exit codes: 0 listed (also when there are none: a note on stderr), 1 no such \
            application or no server, 2 wrong usage.

            Examples:
              mizzen events shop
              mizzen events shop -w
              mizzen events shop -o json | jq -r '.items[] | select(.type == "Warning") | .message'
            """)

    @Argument(help: "The ApplicationConfiguration.")
    var app: String

    @Flag(name: [.customShort("w"), .customLong("watch")], help: "Keep watching for new Events, until interrupted.")
    var watch = false

    @Option(name: [.customShort("o"), .customLong("output")], help: "json or yaml instead of the table (json only with -w).")
    var output: DataFormat?

    @OptionGroup var target: TargetOptions

    @OptionGroup var style: StyleOptions

    static let eventKind = GroupVersionKind(group: "", version: "v1", kind: "Event")

    func validate() throws {
        if watch, output == .yaml { throw ValidationError("-w writes one JSON document per line: use -o json") }
    }

    func run() async throws {
        let terminal = style.terminal
        let connected = try await target.connect()
        try await connected.use { target in
            let client = target.client
            let appConfig = try await Self.appConfig(app, client: client, namespace: target.namespace)
            let report = try await AppInspector(client: client).report(of: appConfig)
            let objects = ApplicationObjects(client: client, app: app, namespace: target.namespace)
            try await objects.collect(appConfig, report: report)

            let list = try await client.listAll(Self.eventKind, namespace: target.namespace)
            var rows: [EventRow] = []
            for event in list.items where await objects.belongs(event.object["involvedObject"]) {
                rows.append(EventRow(event: event))
            }
            rows = EventRow.sorted(rows)
            let now = Date()
            var widths = EventRow.widths(rows.map { $0.cells(now: now) })
            switch (output, watch) {
            case (.json?, true):
                for row in rows { StandardOutput.writeLine(row.event.value.jsonString()) }
            case (let format?, _):
                let document: JSONValue = [
                    "apiVersion": "v1", "kind": "List", "metadata": ["resourceVersion": ""],
                    "items": .array(rows.map(\.event.value)),
                ]
                StandardOutput.write(format.text(document))
            case (nil, _):
                if rows.isEmpty, !watch {
                    StandardError.write("No events found for \(app) in namespace \(target.namespace).")
                } else if !rows.isEmpty || terminal.isTTY {
                    // On a terminal, room for the wider rows a watch is likely to bring.
                    widths = zip(widths, [9, 7, 20, 36, 0]).map { max($0, $1) }
                    StandardOutput.write(EventRow.lines(rows.map { $0.cells(now: now) }, header: true, widths: widths, terminal: terminal))
                }
            }
            guard watch else { return }
            var printedHeader = !rows.isEmpty || terminal.isTTY
            var seen = Set(rows.map { Self.version(of: $0.event) })
            for await change in client.watchForever(Self.eventKind, namespace: target.namespace) {
                let events: [Resource]
                switch change {
                case .relisted(let all, _): events = all
                case .event(let event) where event.type != .deleted: events = [event.object]
                case .event: events = []
                }
                for event in events where seen.insert(Self.version(of: event)).inserted {
                    guard await objects.belongs(event.object["involvedObject"]) else { continue }
                    let row = EventRow(event: event)
                    if output == .json {
                        StandardOutput.writeLine(event.value.jsonString())
                    } else {
                        StandardOutput.write(EventRow.lines([row.cells(now: Date())], header: !printedHeader, widths: widths, terminal: terminal))
                        printedHeader = true
                    }
                }
            }
        }
    }

    /// An Event at one moment: a repeated Event comes again with a new resourceVersion.
    private static func version(of event: Resource) -> String {
        "\(event.uid ?? event.name)@\(event.resourceVersion ?? "")"
    }

    /// The AppConfig `name`, or a failure naming it.
    static func appConfig(_ name: String, client: KubernetesClient, namespace: String) async throws -> Resource {
        do {
            return try await client.get(OAMKinds.applicationConfiguration, name: name, namespace: namespace)
        } catch let error as APIError where error.reason == .notFound {
            throw CommandFailure(
                "ApplicationConfiguration \(name) not found in namespace \(namespace)",
                hint: "`mizzen get appconfigs\(namespace == "default" ? "" : " -n \(namespace)")` lists them")
        }
    }
}
