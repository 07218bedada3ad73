import OrderedCollections
import ArgumentParser
import Foundation
import Resources

struct DescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Show one object in detail: spec summary, status, conditions, the objects it owns and recent Events.",
        discussion: """
            KIND is any kind `mizzen get` accepts (appconfig, component, traitdefinition, \
            deployment, …). The text shows the object's labels, owners and health; a summary of \
            its spec that fits the kind (an AppConfig's components with their parameter values, \
            traits, scopes and data inputs and outputs; a Component's workload and parameters; \
            a definition's definitionRef and what it applies to; other kinds their spec); its \
            status and conditions (for an AppConfig the tree `mizzen status` draws); the \
            objects it owns through ownerReferences (for an AppConfig its workloads, traits and \
            scopes) with their health; and the most recent Events about it and them.

            -o json or -o yaml prints the same as data: object, health, children, events (and \
            application, the `mizzen status -o json` report, for an AppConfig).

            Exit codes: 0 described, 1 no such object or no server, 2 an unknown kind or wrong usage.

            Examples:
              mizzen describe appconfig shop
              mizzen describe component web -o json | jq '.children'
              mizzen describe traitdefinition manualscalertraits.core.oam.dev
              mizzen describe deployment web
            """)

    @Argument(help: "The kind: appconfig, component, workloaddefinition, … or any kind the server serves.")
    var kind: String

    @Argument(help: "The object's name.")
    var name: String

    @OptionGroup var target: TargetOptions

    @Option(name: [.customShort("o"), .customLong("output")], help: "json or yaml instead of text.")
    var output: DataFormat?

    @OptionGroup var style: StyleOptions

    func run() async throws {
        let terminal = style.terminal
        let connected = try await target.connect()
        try await connected.use { target in
            let resolved = try await KindResolver.resolve(kind, client: target.client)
            let object = try await resolved.get(name, namespace: target.namespace, client: target.client, typed: kind)
            let description = try await ObjectDescriber(client: target.client).describe(object, presentation: resolved.presentation)
            switch output {
            case let format?: StandardOutput.write(format.text(description.json))
            case nil:
                StandardOutput.write(DescriptionText.render(description, terminal: terminal))
                if case .applicationConfiguration = resolved.presentation { StandardOutput.writeLine("Graph:  `mizzen graph \(name)` (-o svg|dot|mermaid) draws its components, scopes and data edges") }
            }
        }
    }
}
