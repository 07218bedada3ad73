import OrderedCollections
import Resources

/// `EnvTrait` (`standard.oam.dev/v1alpha1`): environment variables added to containers of the
/// workload's pod template — literal values, or keys of Secrets and ConfigMaps — to all of its
/// containers or to those `containers` names.
extension StandardCatalog {
    /// The env kind of the pod-template patch family.
    static let envTraitKind = PodTemplatePatchKind(kind: "EnvTrait", plural: "envtraits", entry: "env", patch: envPatch)

    /// `envtraits.standard.oam.dev`.
    static var envTrait: StandardCatalogEntry {
        let S = SchemaNode.self
        return podTemplatePatchEntry(
            envTraitKind, shortNames: ["env"],
            columns: [OAMCustomResourceDefinitions.column("VARIABLES", ".spec.env[*].name")],
            spec: [
                "env": S.described(
                    "The variables: a literal value, or valueFrom a secretKeyRef, configMapKeyRef or fieldRef.",
                    S.array(PodTemplateSchemas.envVar)),
                "containers": S.described("The containers that get them; the workload's own (not the sidecars) when empty.",
                                          S.strings),
            ], required: ["env"],
            description: "Environment variables added to a workload's containers.",
            example: """
                traits:
                  - trait:
                      apiVersion: standard.oam.dev/v1alpha1
                      kind: EnvTrait
                      spec:
                        containers: [web]
                        env:
                          - name: LOG_LEVEL
                            value: debug
                          - name: DB_PASSWORD
                            valueFrom:
                              secretKeyRef: {name: db, key: password}
                """,
            summary: "Environment variables (literal, or from Secret and ConfigMap keys) merged into "
                + "the containers of the workload's pod template.")
    }

    /// The env patch: `{spec: {containers: [{name, env}]}}` for each container picked.
    static func envPatch(_ spec: JSONValue, _ template: JSONValue) throws(PodTemplatePatchError) -> JSONValue {
        let env = spec["env"]?.arrayValue ?? []
        try PodTemplatePatch.checkUnique(spec, "env")
        for (index, variable) in env.enumerated() where variable["value"] != nil && variable["valueFrom"] != nil {
            throw PodTemplatePatchError(path: "spec.env[\(index)]", "has both value and valueFrom; give one")
        }
        guard !env.isEmpty else { return [:] }
        let containers = try PodTemplatePatch.pickContainers(
            PodTemplatePatch.strings(spec, "containers"), in: template, path: "spec.containers")
        return PodTemplatePatch.template(spec: [
            "containers": containers.map { ["name": .string($0), "env": .array(env)] },
        ])
    }
}
