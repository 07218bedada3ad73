import Resources
import OrderedCollections

extension PatchSchema {
    /// A hand-written schema of the kinds the embedded API server first served, from the struct
    /// tags of `k8s.io/api` (`patchStrategy`, `patchMergeKey`, `+listType`, `+listMapKey`,
    /// `+mapType`, `+structType`); `nil` for any other kind, such as a custom resource.
    ///
    /// The API server no longer uses it: it reads every built-in kind's rules from the upstream
    /// OpenAPI schemas (`BuiltinOpenAPI.patchSchema(of:)` in `BuiltinKinds`, which this target
    /// cannot see). It stays as the fixture of this target's own strategic-merge-patch and
    /// server-side-apply tests; `BuiltinKindsTests/SchemaPatchTests` checks the upstream rules
    /// agree with it.
    ///
    /// ```swift
    /// PatchSchema.builtin(group: "apps", kind: "Deployment")   // a schema
    /// PatchSchema.builtin(group: "core.oam.dev", kind: "Component")   // nil
    /// ```
    public static func builtin(group: String, kind: String) -> PatchSchema? {
        guard let rules = builtinRules(group: group, kind: kind) else { return nil }
        return PatchSchema(rules: rules)
    }

    static func builtinRules(group: String, kind: String) -> [String: [Rule]]? {
        var rules = objectMetaRules(at: "metadata")
        rules["metadata", default: []].append(.alwaysPresent)
        switch (group, kind) {
        case ("", "Namespace"):
            rules["spec"] = [.alwaysPresent]
            rules["spec.finalizers"] = [.atomic]
            rules["status"] = [.alwaysPresent]
            rules["status.conditions"] = [.listMap(keys: ["type"])]
        case ("", "ConfigMap"):
            rules["data"] = [.map]
            rules["binaryData"] = [.map]
        case ("", "Secret"):
            rules["data"] = [.map]
            rules["stringData"] = [.map]
        case ("", "Service"):
            rules["spec"] = [.alwaysPresent]
            rules["spec.ports"] = [.listMap(keys: ["port", "protocol"], mergeKey: "port", defaults: ["protocol": "TCP"])]
            rules["spec.selector"] = [.map, .atomic]
            for list in ["clusterIPs", "externalIPs", "ipFamilies", "loadBalancerSourceRanges"] {
                rules["spec.\(list)"] = [.atomic]
            }
            rules["status"] = [.alwaysPresent]
            rules["status.conditions"] = [.listMap(keys: ["type"])]
            rules["status.loadBalancer"] = [.alwaysPresent]
            rules["status.loadBalancer.ingress"] = [.atomic]
        case ("", "Event"):
            rules["involvedObject"] = [.alwaysPresent]
            rules["source"] = [.alwaysPresent]
        case ("", "ServiceAccount"):
            rules["secrets"] = [.listMap(keys: ["name"])]
            rules["imagePullSecrets"] = [.atomic]
        case ("apps", "Deployment"):
            rules["spec"] = [.alwaysPresent]
            rules["spec.selector"] = [.atomic]
            rules["spec.strategy"] = [.retainKeys, .alwaysPresent]
            rules.merge(podTemplateRules(at: "spec.template"), uniquingKeysWith: +)
            rules["status"] = [.alwaysPresent]
            rules["status.conditions"] = [.listMap(keys: ["type"])]
        case ("apps", "StatefulSet"):
            rules["spec"] = [.alwaysPresent]
            rules["spec.selector"] = [.atomic]
            rules["spec.updateStrategy"] = [.alwaysPresent]
            rules["spec.volumeClaimTemplates"] = [.atomic]
            rules.merge(podTemplateRules(at: "spec.template"), uniquingKeysWith: +)
            rules["status"] = [.alwaysPresent]
            rules["status.conditions"] = [.listMap(keys: ["type"])]
        case ("apps", "ControllerRevision"):
            // A RawExtension: an object of any shape.
            rules["data"] = [.map]
        case ("coordination.k8s.io", "Lease"):
            rules["spec"] = [.alwaysPresent]
        default:
            return nil
        }
        return rules
    }

    /// `metav1.ObjectMeta` at `path`.
    static func objectMetaRules(at path: String) -> [String: [Rule]] {
        [
            "\(path).labels": [.map],
            "\(path).annotations": [.map],
            "\(path).ownerReferences": [.listMap(keys: ["uid"])],
            "\(path).finalizers": [.set],
            "\(path).managedFields": [.atomic],
        ]
    }

    /// `core/v1.PodTemplateSpec` at `path`.
    static func podTemplateRules(at path: String) -> [String: [Rule]] {
        var rules = objectMetaRules(at: "\(path).metadata")
        rules[path] = [.alwaysPresent]
        rules["\(path).metadata"] = [.alwaysPresent]
        let spec = "\(path).spec"
        rules[spec] = [.alwaysPresent]
        rules["\(spec).volumes"] = [.listMap(keys: ["name"]), .retainKeys]
        for list in ["initContainers", "containers", "ephemeralContainers"] {
            rules["\(spec).\(list)"] = [.listMap(keys: ["name"])]
            let container = "\(spec).\(list)[]"
            rules["\(container).ports"] = [
                .listMap(keys: ["containerPort", "protocol"], mergeKey: "containerPort", defaults: ["protocol": "TCP"])
            ]
            rules["\(container).env"] = [.listMap(keys: ["name"])]
            rules["\(container).envFrom"] = [.atomic]
            rules["\(container).volumeMounts"] = [.listMap(keys: ["mountPath"])]
            rules["\(container).volumeDevices"] = [.listMap(keys: ["devicePath"])]
            rules["\(container).resources"] = [.alwaysPresent]
            rules["\(container).resources.limits"] = [.map]
            rules["\(container).resources.requests"] = [.map]
            rules["\(container).resources.claims"] = [.listMap(keys: ["name"])]
            for atomic in ["command", "args", "resizePolicy"] {
                rules["\(container).\(atomic)"] = [.atomic]
            }
        }
        rules["\(spec).containers", default: []].append(.alwaysPresent)
        rules["\(spec).imagePullSecrets"] = [.listMap(keys: ["name"])]
        rules["\(spec).tolerations"] = [.atomic]
        rules["\(spec).hostAliases"] = [.listMap(keys: ["ip"])]
        rules["\(spec).topologySpreadConstraints"] = [
            .listMap(keys: ["topologyKey", "whenUnsatisfiable"], mergeKey: "topologyKey")
        ]
        rules["\(spec).schedulingGates"] = [.listMap(keys: ["name"])]
        rules["\(spec).resourceClaims"] = [.listMap(keys: ["name"]), .retainKeys]
        rules["\(spec).readinessGates"] = [.atomic]
        rules["\(spec).nodeSelector"] = [.map, .atomic]
        rules["\(spec).overhead"] = [.map]
        return rules
    }
}
