import OrderedCollections
import Resources

/// Structural schemas of the pieces of a Kubernetes pod template (core/v1) the pod-template
/// patch traits carry: containers, volumes, env vars, volume mounts, tolerations and affinity.
///
/// The fields people set are typed, so the API server rejects a misspelt value's type as it
/// would in a Deployment; the rest of a container or volume (probes, security context, volume
/// sources…) is kept as written (`x-kubernetes-preserve-unknown-fields`) and checked by the API
/// server when the patch lands in the workload's pod template.
enum PodTemplateSchemas {
    typealias S = SchemaNode

    /// A `core/v1` ObjectFieldSelector / key selector of a ConfigMap or Secret.
    static let keySelector = S.object([
        "name": S.described("The ConfigMap or Secret in the trait's namespace.", S.string),
        "key": S.described("The key whose value the variable takes.", S.string),
        "optional": S.described("Whether the variable may be left out when the key is missing.", S.boolean),
    ], required: ["key"])

    /// A `core/v1` EnvVar: a literal `value`, or `valueFrom` a Secret, a ConfigMap or a field.
    static let envVar = S.object([
        "name": S.described("The variable's name.", S.string),
        "value": S.described("A literal value.", S.string),
        "valueFrom": S.described("Where the value comes from instead of a literal.", S.object([
            "secretKeyRef": S.described("A key of a Secret.", keySelector),
            "configMapKeyRef": S.described("A key of a ConfigMap.", keySelector),
            "fieldRef": S.described("A field of the Pod, such as metadata.name or status.podIP.", S.object([
                "apiVersion": S.string, "fieldPath": S.string,
            ], required: ["fieldPath"])),
            "resourceFieldRef": S.described("A resource limit or request of a container.", S.object([
                "containerName": S.string, "resource": S.string, "divisor": S.intOrString,
            ], required: ["resource"])),
        ])),
    ], required: ["name"])

    /// A `core/v1` VolumeMount.
    static let volumeMount = S.object([
        "name": S.described("The volume to mount.", S.string),
        "mountPath": S.described("Where in the container.", S.string),
        "subPath": S.string,
        "readOnly": S.boolean,
    ], required: ["name", "mountPath"], preserveUnknownFields: true)

    /// A `core/v1` Container: the usual fields typed, the rest kept for the API server to check.
    static let container = S.object([
        "name": S.described("The container's name, unique in the Pod.", S.string),
        "image": S.described("The image to run.", S.string),
        "command": S.strings,
        "args": S.strings,
        "workingDir": S.string,
        "env": S.array(envVar),
        "ports": S.array(S.object([
            "name": S.string, "containerPort": S.int32, "protocol": S.string(oneOf: ["TCP", "UDP", "SCTP"]),
        ], required: ["containerPort"], preserveUnknownFields: true)),
        "volumeMounts": S.array(volumeMount),
        "resources": S.object([
            "limits": ["type": "object", "additionalProperties": S.intOrString],
            "requests": ["type": "object", "additionalProperties": S.intOrString],
        ], preserveUnknownFields: true),
        "imagePullPolicy": S.string(oneOf: ["Always", "IfNotPresent", "Never"]),
    ], required: ["name", "image"], preserveUnknownFields: true)

    /// A `core/v1` Volume: a name and one source (emptyDir, configMap, secret…), kept as written.
    static let volume = S.object([
        "name": S.described("The volume's name, unique in the Pod.", S.string),
    ], required: ["name"], preserveUnknownFields: true)

    /// A `core/v1` Toleration.
    static let toleration = S.object([
        "key": S.string,
        "operator": S.string(oneOf: ["Exists", "Equal"]),
        "value": S.string,
        "effect": S.string(oneOf: ["NoSchedule", "PreferNoSchedule", "NoExecute"]),
        "tolerationSeconds": S.int64,
    ])

    /// A `core/v1` Affinity: node affinity and pod (anti-)affinity, kept as written.
    static let affinity = S.object([
        "nodeAffinity": S.object([:], preserveUnknownFields: true),
        "podAffinity": S.object([:], preserveUnknownFields: true),
        "podAntiAffinity": S.object([:], preserveUnknownFields: true),
    ])

    /// The `spec.workloadRef` every catalog trait has.
    static let workloadRef = S.described("The workload whose pod template is patched; the runtime fills it in.",
                                         OAMSchemas.typedReference)

    /// The status of a pod-template patch trait: `Synced` and the objects patched.
    static let status = OAMSchemas.status([
        "conditions": OAMSchemas.conditions,
        "targets": S.described(
            "The objects whose pod template carries the trait's patch, with the hash of what was applied.",
            S.array(S.object([
                "apiVersion": S.string, "kind": S.string, "name": S.string, "appliedHash": S.string,
            ]))),
    ])
}
