import OAM
import OrderedCollections
import Resources

/// What `mizzen init` writes: a Component running one image and an ApplicationConfiguration
/// that runs it with the traits asked for, each trait filled from its catalog entry. Pure: the
/// files are values, written (or refused) by the command.
struct Scaffold: Sendable {
    /// The workload kind the Component gets.
    enum Workload: String, Sendable, CaseIterable {
        /// A ContainerizedWorkload (its controller makes a Deployment, and a Service for a port).
        case containerized
        /// A plain apps/v1 Deployment.
        case deployment

        var definitionName: String {
            switch self {
            case .containerized: "containerizedworkloads.core.oam.dev"
            case .deployment: "deployments.apps"
            }
        }
    }

    struct File: Sendable, Equatable {
        var name: String
        var text: String
    }

    /// A request `init` cannot scaffold, said so that the user can fix it.
    struct Problem: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    var name: String
    var image: String
    var port: Int?
    var workload: Workload
    /// The trait entries, in the order asked for.
    var traits: [CatalogEntry]

    /// The trait entries for `names` among `catalog`, and the workload that suits them all
    /// (`preferred` when given).
    ///
    /// - Throws: ``Problem`` for a name that is no trait of the catalog (listing the known ones),
    ///   or traits no single workload kind suits.
    static func resolve(
        traits names: [String], in catalog: [CatalogEntry], preferred: Workload?
    ) throws(Problem) -> (traits: [CatalogEntry], workload: Workload) {
        let known = catalog.filter { $0.role == .trait }
        var traits: [CatalogEntry] = []
        for name in names {
            guard let entry = CatalogReader.find(name, in: known) else {
                let list = known.map { $0.kind?.kind ?? $0.name }.joined(separator: ", ")
                throw Problem(description: "no trait \"\(name)\" in the catalog; the known traits are: \(list)")
            }
            traits.append(entry)
        }
        func suits(_ workload: Workload) -> Bool {
            traits.allSatisfy { $0.appliesTo.isEmpty || $0.appliesTo.contains(workload.definitionName) || $0.appliesTo.contains("*") }
        }
        if let preferred {
            if let misfit = traits.first(where: { !($0.appliesTo.isEmpty || $0.appliesTo.contains(preferred.definitionName)) }) {
                throw Problem(description: "the trait \(misfit.name) does not apply to \(preferred.definitionName) (it applies to \(misfit.appliesToText))")
            }
            return (traits, preferred)
        }
        for workload in Workload.allCases where suits(workload) { return (traits, workload) }
        let misfits = traits.filter { !$0.appliesTo.isEmpty }.map { "\($0.name) applies to \($0.appliesToText)" }
        throw Problem(description: "no workload init makes (a ContainerizedWorkload or a Deployment) suits every trait: " + misfits.joined(separator: "; "))
    }

    var files: [File] {
        [File(name: "component.yaml", text: componentText), File(name: "appconfig.yaml", text: appConfigText)]
    }

    // MARK: The Component

    var componentText: String {
        var container: JSONObject = ["name": .string(name), "image": .string(image)]
        if let port { container["ports"] = [["containerPort": .int(Int64(port)), "name": "http"]] }
        let workloadValue: JSONValue
        let imagePath: String
        switch workload {
        case .containerized:
            workloadValue = [
                "apiVersion": .string(OAM.apiVersion), "kind": "ContainerizedWorkload",
                "spec": ["containers": [.object(container)]],
            ]
            imagePath = "spec.containers[0].image"
        case .deployment:
            let labels: JSONValue = ["app": .string(name)]
            workloadValue = [
                "apiVersion": "apps/v1", "kind": "Deployment",
                "spec": [
                    "replicas": 1, "selector": ["matchLabels": labels],
                    "template": ["metadata": ["labels": labels], "spec": ["containers": [.object(container)]]],
                ],
            ]
            imagePath = "spec.template.spec.containers[0].image"
        }
        let component: JSONValue = [
            "apiVersion": .string(OAM.apiVersion), "kind": "Component", "metadata": ["name": .string(name)],
            "spec": [
                "workload": workloadValue,
                "parameters": [[
                    "name": "image", "description": "The container image to run.", "fieldPaths": [.string(imagePath)],
                ]],
            ],
        ]
        let what = workload == .containerized
            ? "a ContainerizedWorkload (its controller makes a Deployment\(port == nil ? "" : " and a Service for port \(port!)"))"
            : "a Deployment"
        return "# The component \(name): \(image) as \(what).\n# Its image is a parameter the ApplicationConfiguration sets.\n"
            + component.yamlString()
    }

    // MARK: The AppConfig

    var appConfigText: String {
        var entry: JSONObject = [
            "componentName": .string(name),
            "parameterValues": [["name": "image", "value": .string(image)]],
        ]
        if !traits.isEmpty {
            entry["traits"] = .array(traits.map { ["trait": Self.trait($0, port: port, container: name)] })
        }
        let appConfig: JSONValue = [
            "apiVersion": .string(OAM.apiVersion), "kind": "ApplicationConfiguration", "metadata": ["name": .string(name)],
            "spec": ["components": [.object(entry)]],
        ]
        var header = "# Runs the component \(name)"
        header += traits.isEmpty ? ".\n" : " with " + traits.map { $0.kind?.kind ?? $0.name }.joined(separator: ", ") + ".\n"
        header += "# `mizzen catalog show NAME` lists each trait's fields.\n"
        return header + appConfig.yamlString()
    }

    /// A trait object for `entry`: the smallest spec its schema accepts (its required fields)
    /// when that needs no made-up value; else the entry's example with each list cut to its
    /// first item (a list of container names becomes the component's container). The workload
    /// reference is left to the runtime; a `port` field gets the component's port.
    static func trait(_ entry: CatalogEntry, port: Int?, container: String) -> JSONValue {
        let kind = entry.kind ?? GroupVersionKind(group: "", version: "", kind: entry.name)
        var spec = entry.specSchema.map { CatalogEntry.minimal($0, name: "spec") } ?? .emptyObject
        if let path = entry.definition.spec?["workloadRefPath"]?.stringValue, path.hasPrefix("spec."),
            var members = spec.objectValue
        {
            members.removeValue(forKey: String(path.dropFirst(5)))
            spec = .object(members)
        }
        if let example = exampleSpec(of: entry, kind: kind.kind), entry.specSchema == nil || hasPlaceholder(spec) {
            spec = firstItems(example, container: container)
        }
        if let port { spec = withPort(spec, port: port) }
        spec = declaringVolumes(spec, schema: entry.specSchema)
        return ["apiVersion": .string(kind.apiVersion), "kind": .string(kind.kind), "spec": spec]
    }

    /// `spec` with an `emptyDir` volume in its `volumes` for each mount (`volumeMounts` of its
    /// containers, `appVolumeMounts`) that names no volume there, when the trait's schema has a
    /// `volumes` field: the API server refuses a pod that mounts a volume it does not declare.
    static func declaringVolumes(_ spec: JSONValue, schema: JSONValue?) -> JSONValue {
        guard var members = spec.objectValue, schema?["properties"]?["volumes"] != nil else { return spec }
        var volumes = members["volumes"]?.arrayValue ?? []
        var declared = Set(volumes.compactMap { $0["name"]?.stringValue })
        for name in mountedVolumes(spec) where declared.insert(name).inserted {
            volumes.append(["name": .string(name), "emptyDir": .emptyObject])
        }
        if !volumes.isEmpty { members["volumes"] = .array(volumes) }
        return .object(members)
    }

    /// The volume names of every `volumeMounts` and `appVolumeMounts` entry in `value`, in order.
    static func mountedVolumes(_ value: JSONValue) -> [String] {
        var names: [String] = []
        func walk(_ value: JSONValue) {
            if let members = value.objectValue {
                for (key, child) in members {
                    if key == "volumeMounts" || key == "appVolumeMounts" {
                        names += (child.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
                    } else {
                        walk(child)
                    }
                }
            }
            for item in value.arrayValue ?? [] { walk(item) }
        }
        walk(value)
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    /// The spec of the first object of kind `kind` in the catalog entry's example.
    static func exampleSpec(of entry: CatalogEntry, kind: String) -> JSONValue? {
        guard let catalog = StandardCatalog.entries.first(where: { $0.definition.name == entry.name }),
            let documents = try? DocumentDecoder.decode(catalog.example, file: "example")
        else { return nil }
        func search(_ value: JSONValue) -> JSONValue? {
            if value["kind"]?.stringValue == kind, let spec = value["spec"], spec.objectValue != nil {
                var members = spec.objectValue ?? [:]
                members.removeValue(forKey: "workloadRef")
                return .object(members)
            }
            if let members = value.objectValue {
                for child in members.values { if let found = search(child) { return found } }
            }
            for child in value.arrayValue ?? [] { if let found = search(child) { return found } }
            return nil
        }
        for document in documents { if let found = search(document.value) { return found } }
        return nil
    }

    /// `value` with every list of objects cut to its first item, and a `containers` list of
    /// names (the containers a trait picks) naming `container` instead. Other lists of scalars
    /// (a `command`, `args`) stay whole: cut, they would mean something else.
    static func firstItems(_ value: JSONValue, container: String) -> JSONValue {
        if let members = value.objectValue {
            var result = members
            for (key, child) in members {
                if key == "containers", let names = child.arrayValue, names.first?.stringValue != nil {
                    result[key] = [.string(container)]
                } else {
                    result[key] = firstItems(child, container: container)
                }
            }
            return .object(result)
        }
        if let items = value.arrayValue {
            if items.allSatisfy({ $0.objectValue == nil && $0.arrayValue == nil }) { return value }
            return .array(items.prefix(1).map { firstItems($0, container: container) })
        }
        return value
    }

    private static func hasPlaceholder(_ value: JSONValue) -> Bool {
        if let text = value.stringValue { return text.hasPrefix("<") && text.hasSuffix(">") }
        if let members = value.objectValue { return members.values.contains(where: hasPlaceholder) }
        return (value.arrayValue ?? []).contains(where: hasPlaceholder)
    }

    /// `value` with every integer `port`, `containerPort` or `targetPort` set to `port`.
    private static func withPort(_ value: JSONValue, port: Int) -> JSONValue {
        if var members = value.objectValue {
            for (key, child) in members {
                if ["port", "containerPort", "targetPort"].contains(key), child.intValue != nil {
                    members[key] = .int(Int64(port))
                } else {
                    members[key] = withPort(child, port: port)
                }
            }
            return .object(members)
        }
        if let items = value.arrayValue { return .array(items.map { withPort($0, port: port) }) }
        return value
    }
}
