import ArgumentParser
import Foundation
import OrderedCollections
import Resources

struct GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Show an application as a graph: components, workloads, traits, scopes and data edges with their values.",
        discussion: """
            Components are placed in layers (a component comes after every component whose \
            dataOutput it reads), each with its workload and traits and their health; then the \
            scopes and the components in them; then every data edge — each dataInputs entry to \
            the dataOutputs entry it names — with the value it passed or why it waits (the \
            condition it waits for and what the controller last read, from the AppConfig's \
            status).

            -o dot writes a Graphviz digraph (`| dot -Tpng`), -o mermaid a Mermaid flowchart \
            (for Markdown), -o svg an SVG image drawn by Mizzen's own layered layout (no \
            Graphviz needed).

            Exit codes: 0 shown, 1 no such application or no server, 2 wrong usage.

            Examples:
              mizzen graph shop
              mizzen graph shop -o svg > shop.svg
              mizzen graph shop -o dot | dot -Tpng > shop.png
              mizzen graph shop -o mermaid
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case dot
        case mermaid
        case svg
    }

    @Argument(help: "The ApplicationConfiguration.")
    var app: String

    @Option(name: [.customShort("o"), .customLong("output")], help: "text (the default), dot, mermaid or svg.")
    var output: Format = .text

    @OptionGroup var target: TargetOptions

    @OptionGroup var style: StyleOptions

    func run() async throws {
        let terminal = style.terminal
        let connected = try await target.connect()
        let graph = try await connected.use { target in
            let appConfig = try await EventsCommand.appConfig(app, client: target.client, namespace: target.namespace)
            let report = try await AppInspector(client: target.client).report(of: appConfig)
            return AppGraph.build(appConfig: appConfig, report: report)
        }
        switch output {
        case .text: StandardOutput.write(GraphText.text(graph, terminal: terminal))
        case .dot: StandardOutput.write(GraphText.dot(graph))
        case .mermaid: StandardOutput.write(GraphText.mermaid(graph))
        case .svg: StandardOutput.write(GraphSVG.render(graph))
        }
    }
}
