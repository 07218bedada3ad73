import ArgumentParser
import OAMControllers
import ControllerRuntime
import Foundation
import KubeClient
import OAM
import OrderedCollections
import Resources

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "List objects of a kind, or show one, as a table or as data.",
        discussion: """
            KIND is an OAM kind — appconfigs (appconfig, app, applicationconfigurations), \
            components (comp), workloaddefinitions, traitdefinitions, scopedefinitions, \
            revisions (the ControllerRevisions of Components), healthscopes, manualscalertraits, \
            containerizedworkloads — or any other kind the server serves, by its plural, \
            singular, kind or short name, optionally with its group (deployments.apps).

            OAM kinds have columns of their own: an AppConfig's components, traits, HEALTH \
            (as `mizzen status` judges it) and STATUS (its Synced condition); a Component's \
            workload kind and revisions; a definition's definitionRef and what it applies to. \
            Other kinds show NAME and AGE. -o wide adds columns; -o json and -o yaml print the \
            object, or a `kind: List` of them; -o name prints kind.group/name.

            On a terminal the table is aligned; piped, it is tab-separated with a header line.

            Exit codes: 0 found (also when a list is empty: "No resources found" on stderr), \
            1 no such object or no server, 2 an unknown kind or wrong usage.

            Examples:
              mizzen get appconfigs
              mizzen get comp -o wide
              mizzen get app shop -o yaml
              mizzen get traitdefinitions
              mizzen get deployments -A -l app.oam.dev/name=shop
              mizzen get revisions -o name
            """)

    @Argument(help: "The kind: appconfigs, components, workloaddefinitions, … or any kind the server serves.")
    var kind: String

    @Argument(help: "One object's name; all of them when left out.")
    var name: String?

    @OptionGroup var target: TargetOptions

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "List across all namespaces.")
    var allNamespaces = false

    @Option(name: [.customShort("l"), .customLong("selector")], help: ArgumentHelp("Only objects with these labels (app=web,tier!=db).", valueName: "selector"))
    var selector: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: "wide, json, yaml or name instead of the table.")
    var output: ListFormat?

    @OptionGroup var style: StyleOptions

    func validate() throws {
        if name != nil, allNamespaces {
            throw ValidationError("a NAME cannot be combined with --all-namespaces: give -n NAMESPACE instead")
        }
        if name != nil, selector != nil {
            throw ValidationError("a NAME cannot be combined with --selector")
        }
        if let selector {
            do { _ = try LabelSelector(parsing: selector) } catch { throw ValidationError("invalid --selector: \(error)") }
        }
    }

    func run() async throws {
        let terminal = style.terminal
        let connected = try await target.connect()
        try await connected.use { target in
            let client = target.client
            let resolved = try await KindResolver.resolve(kind, client: client)
            if let name {
                let object = try await resolved.get(name, namespace: target.namespace, client: client, typed: kind)
                try await print([object], kind: resolved, single: true, target: target, terminal: terminal)
                return
            }
            let namespace = resolved.namespaced && !allNamespaces ? target.namespace : nil
            let options = ListOptions(labelSelector: try selector.map { try LabelSelector(parsing: $0) })
            // A table or names need no managedFields nor annotations: with thousands of
            // objects, skipping them unread is much of the time of the list.
            let projection: FieldProjection? = output == .json || output == .yaml ? nil : Self.tableFields
            var objects = try await client.listAll(
                resolved.groupVersionKind, namespace: namespace, options: options, pageSize: Self.pageSize,
                projection: projection).items
            if resolved.presentation == .componentRevision { objects = objects.filter(Self.isComponentRevision) }
            objects.sort { ($0.namespace ?? "", $0.name) < ($1.namespace ?? "", $1.name) }
            if objects.isEmpty, output != .json, output != .yaml {
                let place = namespace.map { " in \($0) namespace" } ?? ""
                StandardError.write("No resources found\(place).")
                return
            }
            try await print(objects, kind: resolved, single: false, target: target, terminal: terminal)
            releaseInBackground(consume objects)
        }
    }

    private func print(_ objects: [Resource], kind: ResolvedKind, single: Bool, target: Target, terminal: Terminal) async throws {
        switch output {
        case .json?:
            StandardOutput.writeLine(Self.document(objects, single: single).jsonString(pretty: true))
        case .yaml?:
            StandardOutput.write(Self.document(objects, single: single).yamlString())
        case .name?:
            for object in objects { StandardOutput.writeLine("\(kind.qualifiedName)/\(object.name)") }
        case .wide?, nil:
            let layout = KindTable(
                presentation: kind.presentation, showNamespace: kind.namespaced && allNamespaces, wide: output == .wide)
            let context = try await Self.context(for: objects, kind: kind, client: target.client, allNamespaces: allNamespaces)
            let table = layout.table(objects, context: context)
            let columns = layout.columns
            StandardOutput.write(table.render(on: terminal) { index, text in
                switch columns[index] {
                case "HEALTH": Health(rawValue: text).map { terminal.paint(text, $0.style) }
                case "STATUS" where kind.presentation == .applicationConfiguration:
                    text == "Synced" ? nil : terminal.paint(text, text == "-" ? .yellow : .red)
                default: nil
                }
            })
        }
    }

    /// What a table (or `-o name`) reads of the objects listed: all but `managedFields` and
    /// `annotations`, which no column shows.
    static let tableFields = FieldProjection.object(
        ["metadata": .object(["managedFields": .omitted, "annotations": .omitted], others: true)], others: true)

    /// Objects per page: as for the objects the reports read (``AppInspector/pageSize``), each
    /// page is a request, and 10,000 applications a few pages.
    static let pageSize = AppInspector.pageSize

    /// The object itself, or a `List` of them as `kubectl get -o json` prints it.
    static func document(_ objects: [Resource], single: Bool) -> JSONValue {
        if single, let object = objects.first { return object.value }
        return [
            "apiVersion": "v1", "kind": "List", "metadata": ["resourceVersion": ""],
            "items": .array(objects.map(\.value)),
        ]
    }

    /// What the table's columns need besides the objects.
    static func context(for objects: [Resource], kind: ResolvedKind, client: KubernetesClient, allNamespaces: Bool)
        async throws -> KindTable.Context
    {
        var context = KindTable.Context()
        switch kind.presentation {
        case .applicationConfiguration:
            // The reports read every workload, trait and scope at once: by kind, with one list
            // of a kind when many objects are of it.
            let reports = try await AppInspector(client: client).reports(of: objects)
            for (object, report) in zip(objects, reports) {
                context.reports["\(object.namespace ?? "")/\(object.name)"] = report
            }
        case .component:
            let namespaces = Set(objects.compactMap(\.namespace))
            let namespace = namespaces.count == 1 ? namespaces.first : nil
            context.revisions = try await client.listAll(OAMKinds.controllerRevision, namespace: namespace).items
        default:
            break
        }
        return context
    }

    /// A ControllerRevision that records a Component.
    static func isComponentRevision(_ revision: Resource) -> Bool {
        revision.ownerReferences.contains { $0.kind == Component.kind && GroupVersion(apiVersion: $0.apiVersion).group == OAM.group }
            || revision.labels[OAM.Label.controllerRevisionComponent] != nil
    }
}

/// `-o` of `mizzen get`.
enum ListFormat: String, ExpressibleByArgument, CaseIterable {
    case wide
    case json
    case yaml
    case name
}
