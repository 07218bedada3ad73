import OrderedCollections
public import Resources

/// A user's mistake in a pod-template patch trait, with the field path it is at.
public struct PodTemplatePatchError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The trait's field at fault, such as `spec.containers[1]`.
    public var path: String
    public var reason: String

    public init(path: String, _ reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// One kind of the pod-template patch family (sidecar, env, init containers, node placement,
/// pod metadata): its catalog entry and the pure function from the trait's spec and the target's
/// current pod template to the partial pod template the trait owns.
public struct PodTemplatePatchKind: Sendable {
    /// `SidecarTrait`.
    public var kind: String
    /// `sidecartraits`.
    public var plural: String
    /// `sidecar`: the entry's name in field managers (`mizzen-sidecar/<trait>`) and Events.
    public var entry: String
    /// The partial pod template (`{metadata: …, spec: …}`) for the trait's `spec`, given the
    /// target's current `template` (for the container names a trait may target).
    public var patch: @Sendable (_ spec: JSONValue, _ template: JSONValue) throws(PodTemplatePatchError) -> JSONValue

    /// `standard.oam.dev/v1alpha1` and the kind.
    public var groupVersionKind: GroupVersionKind {
        GroupVersionKind(group: StandardCatalog.group, version: StandardCatalog.version, kind: kind)
    }

    /// The TraitDefinition's name, `<plural>.standard.oam.dev`.
    public var definitionName: String { "\(plural).\(StandardCatalog.group)" }

    /// The field manager of one trait's writes: each trait object owns its own fields, so that
    /// two traits of one kind on a workload (two sidecars) do not take each other's away.
    public func fieldManager(trait name: String) -> String {
        // kube-apiserver refuses field managers longer than 128 characters.
        String("mizzen-\(entry)/\(name)".prefix(128))
    }
}

/// What the pod-template patch traits share: where a kind keeps its pod template, the
/// server-side apply intent of a patch, and whether a live object already carries it.
///
/// Each trait writes with server-side apply under its own field manager and without forcing,
/// so it never takes a field another manager (the workload's controller, another trait) owns:
/// lists of the pod template merge by key (containers, init containers, env and volumes by
/// name, volume mounts by mount path), and a field someone else set to another value is a
/// conflict the trait reports instead of a tug of war. Removing the trait applies an empty
/// intent, which removes exactly the fields the trait alone owned.
public enum PodTemplatePatch {
    /// The family, in catalog order.
    public static let kinds: [PodTemplatePatchKind] = [
        StandardCatalog.sidecarTraitKind, StandardCatalog.envTraitKind, StandardCatalog.initContainerTraitKind,
        StandardCatalog.nodePlacementTraitKind, StandardCatalog.podMetadataTraitKind,
    ]

    /// The finalizer that lets a trait take its fields out of the pod template before it goes.
    public static let finalizer = "standard.oam.dev/pod-template-patch"

    /// The workloads these traits apply to: those with a pod template of their own or in a
    /// child. Jobs are left out: a Job's pod template cannot change once it is created.
    public static let appliesToWorkloads = [
        "containerizedworkloads.core.oam.dev", "podspecworkloads.standard.oam.dev",
        "deployments.apps", "statefulsets.apps", "daemonsets.apps", "cronjobs.batch",
    ]

    /// Where an object of `group`/`kind` keeps its pod template; `nil` for a kind without one.
    public static func templatePath(group: String, kind: String) -> FieldPath? {
        switch (group, kind) {
        case ("apps", "Deployment"), ("apps", "StatefulSet"), ("apps", "DaemonSet"), ("apps", "ReplicaSet"),
             ("batch", "Job"), ("", "ReplicationController"):
            return "spec.template"
        case ("batch", "CronJob"):
            return "spec.jobTemplate.spec.template"
        default:
            return nil
        }
    }

    /// The pod template path of `object`'s kind.
    public static func templatePath(of object: Resource) -> FieldPath? {
        templatePath(group: GroupVersion(apiVersion: object.apiVersion).group, kind: object.kind)
    }

    /// The server-side apply intent putting `templatePatch` into `target`'s pod template: the
    /// target's identity and the patch at its template path, nothing else. An empty patch gives
    /// the empty intent, which gives up every field the manager owned.
    public static func intent(for target: Resource, templatePatch: JSONValue) -> Resource {
        var intent = Resource(
            apiVersion: target.apiVersion, kind: target.kind, name: target.name, namespace: target.namespace)
        if let path = templatePath(of: target), !(templatePatch.objectValue?.isEmpty ?? true) {
            try? intent.setValue(templatePatch, at: path)
        }
        return intent
    }

    /// The hash of an intent, as recorded in the trait's `status.targets[].appliedHash`.
    public static func hash(of intent: Resource) -> String {
        String(intent.value.canonicalHash, radix: 16)
    }

    /// Whether `live` holds every field of `intent` with the same value: lists of the pod
    /// template match by their key (elements only in `live` are other managers'), other lists
    /// element by element; fields only in `live` (defaults, others' fields) do not matter.
    public static func isApplied(_ intent: Resource, in live: Resource) -> Bool {
        contains(live.value, intent.value, field: nil)
    }

    /// The key of the elements of a pod template's list field, as server-side apply merges
    /// them; `nil` for a list replaced as a whole.
    static func listKey(of field: String?) -> String? {
        switch field {
        case "containers", "initContainers", "ephemeralContainers", "env", "volumes", "imagePullSecrets",
             "resourceClaims":
            return "name"
        case "volumeMounts": return "mountPath"
        case "volumeDevices": return "devicePath"
        case "ports": return "containerPort"
        case "hostAliases": return "ip"
        default: return nil
        }
    }

    static func contains(_ actual: JSONValue, _ expected: JSONValue, field: String?) -> Bool {
        switch (actual, expected) {
        case (.object(let actualMembers), .object(let expectedMembers)):
            for (key, value) in expectedMembers {
                guard let other = actualMembers[key] else {
                    if value.isNull { continue }
                    return false
                }
                if !contains(other, value, field: key) { return false }
            }
            return true
        case (.array(let actualElements), .array(let expectedElements)):
            if let key = listKey(of: field) {
                return expectedElements.allSatisfy { element in
                    actualElements.contains { $0[key] == element[key] && contains($0, element, field: nil) }
                }
            }
            guard actualElements.count == expectedElements.count else { return false }
            return zip(actualElements, expectedElements).allSatisfy { contains($0, $1, field: nil) }
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)):
            return Double(a) == b
        default:
            return actual == expected
        }
    }

    // MARK: Helpers of the kinds' patch functions

    /// The prefix of the pod-template annotation a SidecarTrait sets for each container it adds
    /// (`sidecar.standard.oam.dev/<container>: "true"`): the traits that act on "all the
    /// workload's containers" leave those out. Were an EnvTrait to add its variables to a
    /// sidecar, it would co-own the sidecar's container, which would then outlive its trait.
    public static let sidecarAnnotationPrefix = "sidecar.standard.oam.dev/"

    /// The names of the containers of `template`'s pod spec.
    static func containerNames(in template: JSONValue) -> [String] {
        (template.valueIfPresent(at: "spec.containers")?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    }

    /// The containers of `template` that are the workload's own: all but the sidecars.
    static func workloadContainerNames(in template: JSONValue) -> [String] {
        let annotations = template.valueIfPresent(at: "metadata.annotations")?.objectValue ?? [:]
        let sidecars = Set(annotations.keys.filter { $0.hasPrefix(sidecarAnnotationPrefix) }
            .map { String($0.dropFirst(sidecarAnnotationPrefix.count)) })
        return containerNames(in: template).filter { !sidecars.contains($0) }
    }

    /// The containers of `template` that `names` (at `path` of the trait) picks: the workload's
    /// own (not the sidecars) when `names` is empty. Names not in the template are an error
    /// naming the ones that are.
    static func pickContainers(_ names: [String], in template: JSONValue, path: String)
        throws(PodTemplatePatchError) -> [String]
    {
        if names.isEmpty { return workloadContainerNames(in: template) }
        let present = containerNames(in: template)
        for (index, name) in names.enumerated() where !present.contains(name) {
            throw PodTemplatePatchError(
                path: "\(path)[\(index)]",
                "the pod template has no container \"\(name)\" (it has \(present.isEmpty ? "none" : present.joined(separator: ", ")))")
        }
        return names
    }

    /// The strings at `key` of `spec`.
    static func strings(_ spec: JSONValue, _ key: String) -> [String] {
        (spec[key]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    /// Refuses two elements of the list at `key` of `spec` with the same `elementKey`.
    static func checkUnique(_ spec: JSONValue, _ key: String, by elementKey: String = "name")
        throws(PodTemplatePatchError)
    {
        var seen: Set<String> = []
        for (index, element) in (spec[key]?.arrayValue ?? []).enumerated() {
            guard let value = element[elementKey]?.stringValue else { continue }
            if !seen.insert(value).inserted {
                throw PodTemplatePatchError(path: "spec.\(key)[\(index)].\(elementKey)", "\"\(value)\" is listed twice")
            }
        }
    }

    /// `{spec: {containers: [{name, volumeMounts}]}}` pieces mounting `mounts` into the
    /// containers `names` picks (the workload's own when empty), skipping `except`.
    static func appVolumeMounts(_ mounts: [JSONValue], containers names: [String], in template: JSONValue,
                                except: Set<String>, path: String) throws(PodTemplatePatchError) -> [JSONValue]
    {
        guard !mounts.isEmpty else { return [] }
        return try pickContainers(names, in: template, path: path).filter { !except.contains($0) }.map {
            ["name": .string($0), "volumeMounts": .array(mounts)]
        }
    }

    /// A partial pod template with the given `spec` members (the empty ones left out) and
    /// `annotations`.
    static func template(spec members: KeyValuePairs<String, [JSONValue]>, annotations: JSONObject = [:])
        -> JSONValue
    {
        var spec: JSONObject = [:]
        for (key, value) in members where !value.isEmpty { spec[key] = .array(value) }
        var template: JSONObject = [:]
        if !annotations.isEmpty { template["metadata"] = ["annotations": .object(annotations)] }
        if !spec.isEmpty { template["spec"] = .object(spec) }
        return .object(template)
    }
}

extension StandardCatalog {
    /// The catalog entry of a pod-template patch kind: its TraitDefinition (applies to the
    /// workloads with a pod template, `conflictsWith` the kinds that would fight over its
    /// fields) and its CRD with `spec` (to which `workloadRef` is added) and the family's status.
    static func podTemplatePatchEntry(
        _ kind: PodTemplatePatchKind, shortNames: [String], columns: [JSONValue],
        spec properties: KeyValuePairs<String, JSONValue>, required: [String] = [], conflictsWith: [String] = [],
        description: String, example: String, summary: String
    ) -> StandardCatalogEntry {
        var fields: JSONObject = [:]
        for (name, schema) in properties { fields[name] = schema }
        fields["workloadRef"] = PodTemplateSchemas.workloadRef
        var specSchema: JSONObject = ["type": "object", "properties": .object(fields)]
        if !required.isEmpty { specSchema["required"] = .array(required.map { .string($0) }) }
        var definitionSpec: JSONObject = [
            "definitionRef": ["name": .string(kind.definitionName)],
            "workloadRefPath": "spec.workloadRef",
            "appliesToWorkloads": .array(PodTemplatePatch.appliesToWorkloads.map { .string($0) }),
        ]
        if !conflictsWith.isEmpty { definitionSpec["conflictsWith"] = .array(conflictsWith.map { .string($0) }) }
        return StandardCatalogEntry(
            definition: definition(kind: TraitDefinition.kind, name: kind.definitionName, spec: .object(definitionSpec)),
            customResourceDefinition: OAMCustomResourceDefinitions.crd(
                kind: kind.kind, plural: kind.plural, scope: .namespaced, shortNames: shortNames,
                columns: columns + [
                    OAMCustomResourceDefinitions.column("WORKLOAD", ".spec.workloadRef.name"),
                    OAMCustomResourceDefinitions.column("SYNCED", ".status.conditions[?(@.type==\"Synced\")].status"),
                    OAMCustomResourceDefinitions.ageColumn,
                ],
                spec: .object(specSchema), status: PodTemplateSchemas.status, description: description,
                group: StandardCatalog.group, version: StandardCatalog.version),
            example: example, summary: summary)
    }
}
