import OAM
import OrderedCollections
import Resources
import Testing

@Suite("Pod-template patch traits")
struct PodTemplatePatchTests {
    static func kind(_ name: String) throws -> PodTemplatePatchKind {
        try #require(PodTemplatePatch.kinds.first { $0.kind == name })
    }

    static func yaml(_ text: String) throws -> JSONValue {
        try #require(DocumentDecoder.decode(text, file: nil).first).value
    }

    /// A Deployment's pod template with containers `app` and `worker`.
    static let template: JSONValue = [
        "metadata": ["labels": ["app": "web"]],
        "spec": ["containers": [["name": "app", "image": "nginx"], ["name": "worker", "image": "busybox"]]],
    ]

    static let deployment = Resource(apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "ns")

    @Test("the family is five kinds, each with a CRD and a TraitDefinition in the catalog")
    func family() throws {
        #expect(PodTemplatePatch.kinds.map(\.kind) == [
            "SidecarTrait", "EnvTrait", "InitContainerTrait", "NodePlacementTrait", "PodMetadataTrait",
        ])
        for kind in PodTemplatePatch.kinds {
            let entry = try #require(StandardCatalog.entries.first { $0.definition.name == kind.definitionName })
            #expect(entry.definition.valueIfPresent(at: "spec.workloadRefPath") == "spec.workloadRef")
            let applies = entry.definition.valueIfPresent(at: "spec.appliesToWorkloads")?.arrayValue ?? []
            #expect(applies.contains("containerizedworkloads.core.oam.dev"))
            #expect(applies.contains("deployments.apps"))
            #expect(!applies.contains("jobs.batch"))
            let crd = try #require(entry.customResourceDefinition)
            #expect(crd.name == kind.definitionName)
            #expect(crd.valueIfPresent(at: "spec.group") == "standard.oam.dev")
            #expect(!entry.example.isEmpty && !entry.summary.isEmpty)
        }
        let placement = try #require(StandardCatalog.entries.first { $0.definition.name == "nodeplacementtraits.standard.oam.dev" })
        #expect(placement.definition.valueIfPresent(at: "spec.conflictsWith") == ["nodeplacementtraits.standard.oam.dev"])
    }

    @Test("the pod template is at spec.template, or spec.jobTemplate.spec.template for a CronJob")
    func templatePaths() {
        #expect(PodTemplatePatch.templatePath(group: "apps", kind: "Deployment") == "spec.template")
        #expect(PodTemplatePatch.templatePath(group: "apps", kind: "StatefulSet") == "spec.template")
        #expect(PodTemplatePatch.templatePath(group: "apps", kind: "DaemonSet") == "spec.template")
        #expect(PodTemplatePatch.templatePath(group: "batch", kind: "Job") == "spec.template")
        #expect(PodTemplatePatch.templatePath(group: "batch", kind: "CronJob") == "spec.jobTemplate.spec.template")
        #expect(PodTemplatePatch.templatePath(group: "", kind: "Service") == nil)
    }

    @Test("a sidecar adds its containers and volumes, and mounts for the workload's containers")
    func sidecar() throws {
        let spec = try Self.yaml("""
            containers:
              - {name: shipper, image: fluent-bit}
            volumes:
              - {name: logs, emptyDir: {}}
            appVolumeMounts:
              - {name: logs, mountPath: /var/log/app}
            appContainers: [app]
            """)
        let patch = try Self.kind("SidecarTrait").patch(spec, Self.template)
        #expect(patch == [
            "metadata": ["annotations": ["sidecar.standard.oam.dev/shipper": "true"]],
            "spec": [
                "containers": [
                    ["name": "app", "volumeMounts": [["name": "logs", "mountPath": "/var/log/app"]]],
                    ["name": "shipper", "image": "fluent-bit"],
                ],
                "volumes": [["name": "logs", "emptyDir": [:]]],
            ],
        ])
    }

    @Test("a sidecar naming an app container the template lacks is an error naming the field and the containers")
    func sidecarMissingAppContainer() throws {
        let spec = try Self.yaml("""
            containers: [{name: s, image: i}]
            appVolumeMounts: [{name: v, mountPath: /v}]
            appContainers: [app, nope]
            """)
        #expect(throws: PodTemplatePatchError(
            path: "spec.appContainers[1]", "the pod template has no container \"nope\" (it has app, worker)")) {
            _ = try Self.kind("SidecarTrait").patch(spec, Self.template)
        }
        let twice = try Self.yaml("containers: [{name: s, image: i}, {name: s, image: j}]")
        #expect(throws: PodTemplatePatchError(path: "spec.containers[1].name", "\"s\" is listed twice")) {
            _ = try Self.kind("SidecarTrait").patch(twice, Self.template)
        }
    }

    @Test("env goes to every container, or to the named ones; literal and from Secrets and ConfigMaps")
    func env() throws {
        let variables: JSONValue = [
            ["name": "LEVEL", "value": "debug"],
            ["name": "PASSWORD", "valueFrom": ["secretKeyRef": ["name": "db", "key": "password"]]],
            ["name": "MODE", "valueFrom": ["configMapKeyRef": ["name": "settings", "key": "mode"]]],
        ]
        let all = try Self.kind("EnvTrait").patch(["env": variables], Self.template)
        #expect(all == ["spec": ["containers": [
            ["name": "app", "env": variables], ["name": "worker", "env": variables],
        ]]])
        // Sidecars (marked by their trait's annotation) are not the workload's containers.
        var withSidecar = Self.template
        try withSidecar.setValue(["sidecar.standard.oam.dev/worker": "true"], at: "metadata.annotations")
        #expect(try Self.kind("EnvTrait").patch(["env": variables], withSidecar)
            == ["spec": ["containers": [["name": "app", "env": variables]]]])
        let named = try Self.kind("EnvTrait").patch(["env": variables, "containers": ["worker"]], Self.template)
        #expect(named == ["spec": ["containers": [["name": "worker", "env": variables]]]])
        #expect(throws: PodTemplatePatchError(path: "spec.env[0]", "has both value and valueFrom; give one")) {
            _ = try Self.kind("EnvTrait").patch(
                ["env": [["name": "X", "value": "1", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]]]],
                Self.template)
        }
    }

    @Test("init containers come with their volumes and mounts for the workload's containers")
    func initContainers() throws {
        let spec = try Self.yaml("""
            initContainers: [{name: fetch, image: busybox, volumeMounts: [{name: work, mountPath: /work}]}]
            volumes: [{name: work, emptyDir: {}}]
            appVolumeMounts: [{name: work, mountPath: /etc/app}]
            """)
        let patch = try Self.kind("InitContainerTrait").patch(spec, Self.template)
        let mounts: JSONValue = [["name": "work", "mountPath": "/etc/app"]]
        #expect(patch == ["spec": [
            "initContainers": [["name": "fetch", "image": "busybox", "volumeMounts": [["name": "work", "mountPath": "/work"]]]],
            "containers": [["name": "app", "volumeMounts": mounts], ["name": "worker", "volumeMounts": mounts]],
            "volumes": [["name": "work", "emptyDir": [:]]],
        ]])
    }

    @Test("node placement sets nodeSelector, affinity and tolerations; pod metadata sets labels and annotations")
    func placementAndMetadata() throws {
        let placement = try Self.kind("NodePlacementTrait").patch(
            ["nodeSelector": ["disk": "ssd"], "tolerations": [["key": "k", "operator": "Exists"]]], Self.template)
        #expect(placement == ["spec": [
            "nodeSelector": ["disk": "ssd"], "tolerations": [["key": "k", "operator": "Exists"]],
        ]])
        #expect(throws: PodTemplatePatchError(path: "spec.tolerations[0].value", "must be empty when operator is Exists")) {
            _ = try Self.kind("NodePlacementTrait").patch(
                ["tolerations": [["key": "k", "operator": "Exists", "value": "v"]]], Self.template)
        }
        let metadata = try Self.kind("PodMetadataTrait").patch(
            ["labels": ["team": "a"], "annotations": ["note": "b"]], Self.template)
        #expect(metadata == ["metadata": ["labels": ["team": "a"], "annotations": ["note": "b"]]])
        #expect(try Self.kind("PodMetadataTrait").patch([:], Self.template) == [:])
    }

    @Test("the intent is the target's identity and the patch at its template path; an empty patch gives an empty intent")
    func intent() throws {
        let cronJob = Resource(apiVersion: "batch/v1", kind: "CronJob", name: "report", namespace: "ns")
        let intent = PodTemplatePatch.intent(for: cronJob, templatePatch: ["metadata": ["labels": ["a": "b"]]])
        #expect(intent.value == [
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": "report", "namespace": "ns"],
            "spec": ["jobTemplate": ["spec": ["template": ["metadata": ["labels": ["a": "b"]]]]]],
        ])
        let empty = PodTemplatePatch.intent(for: Self.deployment, templatePatch: [:])
        #expect(empty.value == [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "namespace": "ns"],
        ])
    }

    @Test("a live object holds a patch when its keyed lists hold the patch's elements, whatever else they hold")
    func isApplied() throws {
        let intent = PodTemplatePatch.intent(for: Self.deployment, templatePatch: [
            "spec": ["containers": [["name": "app", "env": [["name": "X", "value": "1"]]]],
                     "tolerations": [["key": "k", "operator": "Exists"]]],
        ])
        var live = Self.deployment
        try live.setValue([
            "spec": ["containers": [
                ["name": "side", "image": "s"],
                ["name": "app", "image": "nginx", "env": [["name": "A", "value": "0"], ["name": "X", "value": "1"]]],
            ], "tolerations": [["key": "k", "operator": "Exists"]]],
        ], at: "spec.template")
        #expect(PodTemplatePatch.isApplied(intent, in: live))
        var changed = live
        try changed.setValue("2", at: "spec.template.spec.containers[1].env[1].value")
        #expect(!PodTemplatePatch.isApplied(intent, in: changed))
        var moreTolerations = live
        try moreTolerations.setValue([["key": "k", "operator": "Exists"], ["key": "o", "operator": "Exists"]],
                                     at: "spec.template.spec.tolerations")
        #expect(!PodTemplatePatch.isApplied(intent, in: moreTolerations))
    }

    @Test("each trait has its own field manager, no longer than kube-apiserver allows")
    func fieldManagers() throws {
        let sidecar = try Self.kind("SidecarTrait")
        #expect(sidecar.fieldManager(trait: "web-sidecar") == "mizzen-sidecar/web-sidecar")
        #expect(sidecar.fieldManager(trait: String(repeating: "a", count: 253)).count == 128)
    }
}
