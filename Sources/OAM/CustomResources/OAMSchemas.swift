import OrderedCollections
import Resources

/// The `openAPIV3Schema` pieces of the OAM kinds, field for field as spec §2 lists them.
///
/// Specs are typed, so that the API server rejects a misspelt field's value as kube-apiserver
/// does. Statuses type the fields others read (conditions, observedGeneration, latestRevision)
/// and keep everything else, because controllers may report more than the reference did.
enum OAMSchemas {
    typealias S = SchemaNode

    // MARK: Shared pieces

    /// crossplane-runtime `TypedReference`.
    static let typedReference = S.object([
        "apiVersion": S.string, "kind": S.string, "name": S.string, "uid": S.string,
    ], required: ["apiVersion", "kind", "name"])

    /// crossplane-runtime `Condition` (§1.4).
    static let condition = S.object([
        "type": S.string, "status": S.string, "lastTransitionTime": S.string, "reason": S.string,
        "message": S.string,
    ], required: ["type", "status"])

    static let conditions = S.array(condition)

    /// `{name, version}` naming the CRD a definition describes.
    static let definitionReference = S.described(
        "The CustomResourceDefinition of the kind, as <plural>.<group> (e.g. deployments.apps).",
        S.object(["name": S.string, "version": S.string], required: ["name"]))

    static let extensionField = S.described("Free-form data for tools; not interpreted.", S.freeForm)

    /// A status that types `fields` and keeps whatever else a controller writes.
    static func status(_ fields: KeyValuePairs<String, JSONValue>) -> JSONValue {
        S.object(fields, preserveUnknownFields: true)
    }

    static let conditionedStatus = status(["conditions": conditions])

    // MARK: Definitions (§2.1–§2.3)

    static let workloadDefinitionSpec = S.object([
        "definitionRef": definitionReference,
        "childResourceKinds": S.described(
            "The kinds of the objects the workload's controller creates; ManualScalerTrait scales them.",
            S.array(S.object(["apiVersion": S.string, "kind": S.string, "selector": S.stringMap],
                             required: ["apiVersion", "kind"]))),
        "revisionLabel": S.string,
        "podSpecPath": S.string,
        "extension": extensionField,
    ], required: ["definitionRef"])

    static let traitDefinitionSpec = S.object([
        "definitionRef": definitionReference,
        "revisionEnabled": S.described(
            "Whether the trait needs a workload per component revision.", S.boolean),
        "workloadRefPath": S.described(
            "Where the runtime writes the reference to the workload, e.g. spec.workloadRef.", S.string),
        "appliesToWorkloads": S.described(
            "Workloads the trait may be attached to: definition names, CRD names, *.<group> or *.",
            S.strings),
        "conflictsWith": S.described(
            "Traits that may not be attached to the same component: TraitDefinition names, *.<group> or *.",
            S.strings),
        "ownsWorkloadFields": S.described(
            "Fields of the workload the trait sets itself, e.g. spec.replicas: the runtime leaves them out of the workload it applies.",
            S.strings),
        "extension": extensionField,
    ], required: ["definitionRef"])

    static let scopeDefinitionSpec = S.object([
        "definitionRef": definitionReference,
        "workloadRefsPath": S.described(
            "Where the runtime writes the references to the workloads, e.g. spec.workloadRefs.", S.string),
        "allowComponentOverlap": S.boolean,
        "extension": extensionField,
    ], required: ["definitionRef", "allowComponentOverlap"])

    // MARK: Component (§2.4)

    static let componentSpec = S.object([
        "workload": S.described("The Kubernetes object this component runs.", S.embeddedResource),
        "parameters": S.described("Values an ApplicationConfiguration may set, and where they go.", S.array(S.object([
            "name": S.string,
            "fieldPaths": S.described("Where in the workload the value goes.", S.strings),
            "required": S.boolean,
            "description": S.string,
        ], required: ["name", "fieldPaths"]))),
    ], required: ["workload"])

    static let componentStatus = status([
        "observedGeneration": S.int64,
        "conditions": conditions,
        "latestRevision": S.object(["name": S.string, "revision": S.int64], required: ["name", "revision"]),
    ])

    // MARK: ApplicationConfiguration (§2.5)

    static let conditionRequirement = S.object([
        "op": S.string(oneOf: ["eq", "notEq", "notEmpty"]),
        "value": S.string,
        "valueFrom": S.object(["fieldPath": S.string], required: ["fieldPath"]),
        "fieldPath": S.string,
    ], required: ["op"])

    static let dataOperation = S.object([
        "type": S.string,
        "op": S.string(oneOf: ["add", "delete", "replace"]),
        "toFieldPath": S.string,
        "toDataPath": S.string,
        "value": S.string,
        "valueFrom": S.object(["fieldPath": S.string], required: ["fieldPath"]),
        "conditions": S.array(conditionRequirement),
    ], required: ["type", "op", "toFieldPath"])

    static let storeReference = S.object([
        "apiVersion": S.string, "kind": S.string, "name": S.string, "uid": S.string,
        "operations": S.array(dataOperation),
    ], required: ["name"])

    static let dataOutputs = S.described("Values this entry offers to others, read from its object.", S.array(S.object([
        "name": S.string,
        "fieldPath": S.string,
        "conditions": S.array(conditionRequirement),
        "outputStore": storeReference,
    ])))

    static let dataInputs = S.described("Values from other entries' outputs, written into this one's object.", S.array(S.object([
        "valueFrom": S.object(["dataOutputName": S.string], required: ["dataOutputName"]),
        "toFieldPaths": S.strings,
        "conditions": S.array(conditionRequirement),
        "inputStore": storeReference,
    ])))

    static let applicationConfigurationSpec = S.object([
        "components": S.described("The components of the application.", S.array(S.object([
            "componentName": S.described("The Component to use (latest revision).", S.string),
            "revisionName": S.described("A revision of a Component to pin; instead of componentName.", S.string),
            "dataOutputs": dataOutputs,
            "dataInputs": dataInputs,
            "parameterValues": S.described("Values of the Component's parameters.", S.array(S.object(
                ["name": S.string, "value": S.intOrString], required: ["name", "value"]))),
            "traits": S.described("Objects that add operational behaviour to the workload.", S.array(S.object([
                "trait": S.described("The trait object to create for the component.", S.embeddedResource),
                "dataOutputs": dataOutputs,
                "dataInputs": dataInputs,
            ], required: ["trait"]))),
            "scopes": S.described("Scopes (such as a HealthScope) the workload belongs to.",
                                  S.array(S.object(["scopeRef": typedReference], required: ["scopeRef"]))),
        ]))),
    ], required: ["components"])

    static let applicationConfigurationStatus = status([
        "conditions": conditions,
        "observedGeneration": S.int64,
    ])

    // MARK: ContainerizedWorkload (§2.6)

    static let secretKeySelector = S.object(["name": S.string, "key": S.string], required: ["name", "key"])

    static let resourceRequirement = S.object(["required": S.intOrString], required: ["required"])

    static let probe = S.object([
        "exec": S.object(["command": S.strings]),
        "httpGet": S.object([
            "path": S.string,
            "port": S.int32,
            "httpHeaders": S.array(S.object(["name": S.string, "value": S.string], required: ["name", "value"])),
        ], required: ["port"]),
        "tcpSocket": S.object(["port": S.int32], required: ["port"]),
        "initialDelaySeconds": S.int32,
        "periodSeconds": S.int32,
        "timeoutSeconds": S.int32,
        "successThreshold": S.int32,
        "failureThreshold": S.int32,
    ])

    static let container = S.object([
        "name": S.string,
        "image": S.string,
        "resources": S.object([
            "cpu": resourceRequirement,
            "memory": resourceRequirement,
            "gpu": resourceRequirement,
            "volumes": S.array(S.object([
                "name": S.string,
                "mountPath": S.string,
                "accessMode": S.string(oneOf: ["RO", "RW"]),
                "sharingPolicy": S.string(oneOf: ["Exclusive", "Shared"]),
                "disk": S.object(["required": S.intOrString, "ephemeral": S.boolean], required: ["required"]),
            ], required: ["name", "mountPath"])),
            "extended": S.array(S.object(["name": S.string, "required": S.intOrString],
                                         required: ["name", "required"])),
        ], required: ["cpu", "memory"]),
        "command": S.strings,
        "args": S.strings,
        "env": S.array(S.object([
            "name": S.string(pattern: "^[-_a-zA-Z0-9]+$"),
            "value": S.string,
            "fromSecret": secretKeySelector,
        ], required: ["name"])),
        "config": S.array(S.object([
            "path": S.string,
            "value": S.string,
            "fromSecret": secretKeySelector,
        ], required: ["path"])),
        "ports": S.array(S.object([
            "name": S.string(pattern: "^[a-z]+$"),
            "containerPort": S.int32,
            "protocol": S.string(oneOf: ["TCP", "UDP"]),
        ], required: ["containerPort"])),
        "livenessProbe": probe,
        "readinessProbe": probe,
        "imagePullSecret": S.string,
    ], required: ["name", "image"])

    static let containerizedWorkloadSpec = S.object([
        "osType": S.string(oneOf: ["linux", "windows"]),
        "arch": S.string(oneOf: ["i386", "amd64", "arm", "arm64"]),
        "containers": S.array(container),
    ], required: ["containers"])

    static let containerizedWorkloadStatus = status([
        "conditions": conditions,
        "resources": S.described("The Deployment and Service made for the workload.", S.array(typedReference)),
    ])

    // MARK: ManualScalerTrait (§2.7)

    static let manualScalerTraitSpec = S.object([
        "replicaCount": S.described("How many replicas the workload's children should run.", S.int32),
        "workloadRef": S.described("The workload to scale; the runtime fills it in.", typedReference),
    ], required: ["replicaCount", "workloadRef"])

    // MARK: HealthScope (§2.8)

    static let healthScopeSpec = S.object([
        "probe-timeout": S.described("Seconds a health probe may take.", S.int32),
        "probe-interval": S.described("Seconds between health probes.", S.int32),
        "workloadRefs": S.array(typedReference),
    ], required: ["workloadRefs"])

    static let healthScopeStatus = status([
        "conditions": conditions,
        "scopeHealthCondition": S.object([
            "healthStatus": S.string,
            "total": S.int64,
            "healthyWorkloads": S.int64,
            "unhealthyWorkloads": S.int64,
            "unknownWorkloads": S.int64,
        ], preserveUnknownFields: true),
        "healthConditions": S.array(S.object([
            "componentName": S.string,
            "targetWorkload": typedReference,
            "healthStatus": S.string,
            "diagnosis": S.string,
            "workloadStatus": S.string,
        ], preserveUnknownFields: true)),
    ])
}
