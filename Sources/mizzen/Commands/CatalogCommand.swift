import ArgumentParser
import Foundation
import OrderedCollections
import Resources

struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "The workload, trait and scope definitions available: built-in and installed.",
        discussion: """
            Read from the server when the embedded control plane runs (or --kubeconfig / \
            --context name a cluster); with no server, the built-in definitions, with a note on \
            stderr. `catalog list` (the default) tables them; `catalog show NAME` shows one: its \
            kind, what it applies to, the fields of its kind's spec (from the kind's \
            CustomResourceDefinition openAPIV3Schema, or a note saying there is none) and an \
            example of its use.

            Exit codes: 0 ok, 1 no such definition or an unreachable cluster, 2 wrong usage.

            Examples:
              mizzen catalog
              mizzen catalog show manualscalertraits.core.oam.dev
              mizzen catalog show ContainerizedWorkload -o json | jq '.schema.fields'
            """,
        subcommands: [CatalogListCommand.self, CatalogShowCommand.self],
        defaultSubcommand: CatalogListCommand.self)

    /// The entries of the target, or the built-ins when no embedded plane runs.
    static func entries(_ target: TargetOptions) async throws -> [CatalogEntry] {
        func builtins() -> [CatalogEntry] {
            StandardError.write(
                "note: no control plane runs in \(target.plane.displayPath): showing the built-in definitions only "
                    + "(start one with `mizzen up`, or give --kubeconfig)")
            return CatalogReader.builtins()
        }
        guard target.usesCluster || target.plane.isRunning else { return builtins() }
        let connected: Target
        do {
            connected = try await target.connect()
        } catch is CommandFailure where !target.usesCluster {
            // A plane that left its files behind but does not answer is as good as none.
            return builtins()
        }
        return try await connected.use { try await CatalogReader.read(client: $0.client) }
    }
}

struct CatalogListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Table the definitions: name, type, kind, source, what it applies to, schema.",
        discussion: """
            Examples:
              mizzen catalog list
              mizzen catalog list -o yaml
            """)

    @OptionGroup var target: TargetOptions

    @Option(name: [.customShort("o"), .customLong("output")], help: "json or yaml instead of the table.")
    var output: DataFormat?

    @OptionGroup var style: StyleOptions

    func run() async throws {
        let entries = try await CatalogCommand.entries(target)
        switch output {
        case let format?: StandardOutput.write(format.text(Self.document(entries)))
        case nil:
            var table = Table(["NAME", "TYPE", "KIND", "SOURCE", "APPLIES-TO", "SCHEMA"])
            for entry in entries {
                table.append([
                    entry.name, entry.role.rawValue, entry.kind?.kind ?? "<unknown>", entry.source, entry.appliesToText,
                    entry.fields.isEmpty ? "none" : "\(entry.fields.count) fields",
                ])
            }
            StandardOutput.write(table.render(on: style.terminal))
        }
    }

    static func document(_ entries: [CatalogEntry]) -> JSONValue {
        ["definitions": .array(entries.map(\.json))]
    }
}

struct CatalogShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one definition: kind, what it applies to, schema fields and an example.",
        discussion: """
            NAME is the definition's name (manualscalertraits.core.oam.dev), its kind \
            (ManualScalerTrait) or the start of its name (manualscalertraits).

            Examples:
              mizzen catalog show containerizedworkloads.core.oam.dev
              mizzen catalog show ManualScalerTrait -o yaml
            """)

    @Argument(help: "The definition's name or kind.")
    var name: String

    @OptionGroup var target: TargetOptions

    @Option(name: [.customShort("o"), .customLong("output")], help: "json or yaml instead of text.")
    var output: DataFormat?

    @OptionGroup var style: StyleOptions

    func run() async throws {
        let entries = try await CatalogCommand.entries(target)
        guard let entry = CatalogReader.find(name, in: entries) else {
            throw CommandFailure(
                "no workload, trait or scope definition \"\(name)\"", hint: "`mizzen catalog list` lists them")
        }
        switch output {
        case let format?: StandardOutput.write(format.text(entry.json))
        case nil: StandardOutput.write(Self.text(entry, terminal: style.terminal))
        }
    }

    static func text(_ entry: CatalogEntry, terminal: Terminal) -> String {
        var out = DescriptionText.Lines(terminal: terminal)
        out.field("Name", entry.name)
        out.field("Type", entry.role.rawValue + " (\(entry.definition.kind))")
        out.field("Source", entry.source + (entry.installed ? "" : ", not on the server"))
        out.field("Definition Ref", entry.definitionRef)
        out.field("Kind", entry.kind.map { "\($0.kind) (\($0.apiVersion))" } ?? "<unknown>")
        out.field("Applies To", entry.appliesToText)
        let spec = entry.definition.spec
        let conflicts = (spec?["conflictsWith"]?.arrayValue ?? []).compactMap(\.stringValue)
        if !conflicts.isEmpty { out.field("Conflicts With", conflicts.joined(separator: ",")) }
        let owned = (spec?["ownsWorkloadFields"]?.arrayValue ?? []).compactMap(\.stringValue)
        if !owned.isEmpty { out.field("Owns Fields", owned.joined(separator: ",")) }
        if let summary = entry.summary { out.field("Summary", summary) }
        let children = (spec?["childResourceKinds"]?.arrayValue ?? []).map {
            "\($0["kind"]?.stringValue ?? "?") (\($0["apiVersion"]?.stringValue ?? "?"))"
        }
        if !children.isEmpty { out.field("Child Kinds", children.joined(separator: ", ")) }
        if entry.role == .trait { out.field("Revision Enabled", String(spec?["revisionEnabled"]?.boolValue ?? false)) }
        if entry.role == .scope { out.field("Allow Overlap", String(spec?["allowComponentOverlap"]?.boolValue ?? false)) }
        for key in ["workloadRefPath", "workloadRefsPath", "revisionLabel", "podSpecPath"] {
            if let value = spec?[key]?.stringValue { out.field(key, value) }
        }
        out.section("Schema")
        out.line("  " + entry.schemaNote)
        if !entry.fields.isEmpty {
            var table = Table(["FIELD", "TYPE", "REQUIRED", "DESCRIPTION"])
            for field in entry.fields {
                table.append([field.path, field.type, field.required ? "yes" : "", field.description])
            }
            out.table(table)
        }
        out.section("Example")
        out.indented(entry.example)
        return out.text
    }
}
