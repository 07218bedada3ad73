@testable import ClusterControllers
import Foundation
import OrderedCollections
import Resources
import Testing

/// The pure parts of the StatefulSet and DaemonSet controllers: revision data and names as
/// kube-controller-manager v1.36 writes them, Pod ordinals, node placement.
@Suite("StatefulSet and DaemonSet revisions and placement")
struct StatefulSetRevisionTests {
    /// The revision data kube-controller-manager v1.36 stored for the StatefulSet `web` of
    /// kube's tutorial (nginx-slim), named `web-7cc9cf8cd5` with collision count 0.
    static let tutorialData = """
        {"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[\
        {"image":"registry.k8s.io/nginx-slim:0.8","imagePullPolicy":"IfNotPresent","name":"nginx","ports":\
        [{"containerPort":80,"name":"web","protocol":"TCP"}],"resources":{},"terminationMessagePath":\
        "/dev/termination-log","terminationMessagePolicy":"File"}],"dnsPolicy":"ClusterFirst","restartPolicy":\
        "Always","schedulerName":"default-scheduler","securityContext":{},"terminationGracePeriodSeconds":30}}}}
        """

    @Test("a StatefulSet revision's hash is kube's: FNV-1 of the Go JSON of the data and the collision count")
    func revisionHash() throws {
        let data = try JSONValue(parsingJSON: Array(Self.tutorialData.utf8))
        #expect(ControllerRevisionHistory.hash(of: data, collisionCount: 0) == "7cc9cf8cd5")
        #expect(ControllerRevisionHistory.hash(of: data, collisionCount: 1) != "7cc9cf8cd5")
    }

    @Test("revision data is the template with $patch: replace, encoded as Go's json.Marshal (sorted, <>& escaped)")
    func revisionData() throws {
        var set = Resource(apiVersion: "apps/v1", kind: "StatefulSet", name: "web", namespace: "default")
        set.spec = ["template": ["metadata": ["labels": ["b": "1", "a": "<&>"]], "spec": ["containers": []]]]
        let data = ControllerRevisionHistory.data(of: set)
        let text = String(decoding: ControllerRevisionHistory.goJSON(data), as: UTF8.self)
        #expect(text == #"{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"a":"\u003c\u0026\u003e","b":"1"}},"spec":{"containers":[]}}}}"#)
        var revision = Resource(apiVersion: "apps/v1", kind: "ControllerRevision", name: "web-x")
        revision.object["data"] = data
        #expect(ControllerRevisionHistory.template(of: revision) == set.spec?["template"])
    }

    @Test("a Pod's ordinal is the digits after the last dash of its name, for its own set only")
    func ordinals() {
        #expect(StatefulSetPods.parentAndOrdinal(of: "web-12")! == ("web", 12))
        #expect(StatefulSetPods.parentAndOrdinal(of: "my-web-0")! == ("my-web", 0))
        #expect(StatefulSetPods.parentAndOrdinal(of: "web-x") == nil)
        #expect(StatefulSetPods.parentAndOrdinal(of: "web") == nil)
        let set = Resource(apiVersion: "apps/v1", kind: "StatefulSet", name: "web", namespace: "default")
        #expect(StatefulSetPods.ordinal(of: Resource(apiVersion: "v1", kind: "Pod", name: "web-3"), in: set) == 3)
        #expect(StatefulSetPods.ordinal(of: Resource(apiVersion: "v1", kind: "Pod", name: "webb-3"), in: set) == nil)
    }

    @Test("a StatefulSet Pod has its identity, revision, hostname, subdomain and claim volumes")
    func statefulPod() throws {
        var set = Resource(apiVersion: "apps/v1", kind: "StatefulSet", name: "db", namespace: "default")
        set.uid = "u1"
        set.spec = [
            "serviceName": "db",
            "volumeClaimTemplates": [["metadata": ["name": "data"]]],
            "template": ["metadata": ["labels": ["app": "db"]], "spec": ["containers": [["name": "c", "image": "i"]]]],
        ]
        let pod = StatefulSetPods.pod(for: set, template: set.spec!["template"]!, revision: "db-abc", ordinal: 2)
        #expect(pod.name == "db-2")
        #expect(pod.labels["app"] == "db")
        #expect(pod.labels["controller-revision-hash"] == "db-abc")
        #expect(pod.labels["statefulset.kubernetes.io/pod-name"] == "db-2")
        #expect(pod.labels["apps.kubernetes.io/pod-index"] == "2")
        #expect(pod.spec?["hostname"] == "db-2")
        #expect(pod.spec?["subdomain"] == "db")
        #expect(pod.spec?["volumes"] == [["name": "data", "persistentVolumeClaim": ["claimName": "data-db-2"]]])
        #expect(pod.controllerReference?.uid == "u1")
        #expect(StatefulSetPods.identityMatches(pod, set: set))
    }

    @Test("a daemon Pod runs where nodeName, nodeSelector, required affinity and taints allow", arguments: [
        // (template spec, node labels, node taints, shouldRun, shouldContinueRunning)
        (#"{}"#, #"{}"#, #"[]"#, true, true),
        (#"{"nodeName": "other"}"#, #"{}"#, #"[]"#, false, false),
        (#"{"nodeSelector": {"disk": "ssd"}}"#, #"{"disk": "ssd"}"#, #"[]"#, true, true),
        (#"{"nodeSelector": {"disk": "ssd"}}"#, #"{}"#, #"[]"#, false, false),
        (#"{"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}]}}}}"#, #"{"zone": "b"}"#, #"[]"#, false, false),
        (#"{"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["mizzen"]}]}]}}}}"#, #"{}"#, #"[]"#, true, true),
        (#"{}"#, #"{}"#, #"[{"key": "dedicated", "value": "x", "effect": "NoSchedule"}]"#, false, true),
        (#"{}"#, #"{}"#, #"[{"key": "dedicated", "value": "x", "effect": "NoExecute"}]"#, false, false),
        (#"{"tolerations": [{"key": "dedicated", "operator": "Equal", "value": "x", "effect": "NoSchedule"}]}"#, #"{}"#, #"[{"key": "dedicated", "value": "x", "effect": "NoSchedule"}]"#, true, true),
        (#"{}"#, #"{}"#, #"[{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}]"#, true, true),
        (#"{}"#, #"{}"#, #"[{"key": "x", "effect": "PreferNoSchedule"}]"#, true, true),
    ])
    func placement(spec: String, labels: String, taints: String, shouldRun: Bool, shouldContinue: Bool) throws {
        func json(_ text: String) throws -> JSONValue { try JSONValue(parsingJSON: Array(text.utf8)) }
        var daemonSet = Resource(apiVersion: "apps/v1", kind: "DaemonSet", name: "agent", namespace: "default")
        daemonSet.spec = ["template": ["spec": try json(spec)]]
        var node = Resource(apiVersion: "v1", kind: "Node", name: "mizzen")
        node.withMetadata { $0["labels"] = try? json(labels) }
        node.spec = ["taints": try json(taints)]
        let placement = DaemonSetNodes.placement(of: daemonSet, on: node)
        #expect(placement.shouldRun == shouldRun)
        #expect(placement.shouldContinueRunning == shouldContinue)
    }

    @Test("a daemon Pod gets kube's tolerations and a required affinity on the node's name")
    func daemonPod() throws {
        var daemonSet = Resource(apiVersion: "apps/v1", kind: "DaemonSet", name: "agent", namespace: "default")
        daemonSet.setAnnotation("deprecated.daemonset.template.generation", "3")
        daemonSet.spec = ["template": [
            "metadata": ["labels": ["app": "agent"]],
            "spec": ["containers": [["name": "c", "image": "i"]],
                     "tolerations": [["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 60]]],
        ]]
        let pod = DaemonSetNodes.pod(for: daemonSet, node: "mizzen", hash: "h1")
        #expect(pod.generateName == "agent-")
        #expect(pod.labels["controller-revision-hash"] == "h1")
        #expect(pod.labels["pod-template-generation"] == "3")
        #expect(pod.spec?["affinity"] == ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": [
            "nodeSelectorTerms": [["matchFields": [["key": "metadata.name", "operator": "In", "values": ["mizzen"]]]]],
        ]]])
        let keys = pod.spec?["tolerations"]?.arrayValue?.compactMap { $0["key"]?.stringValue }
        #expect(keys == [
            "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable", "node.kubernetes.io/disk-pressure",
            "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable",
        ])
        // The template's own not-ready toleration is replaced by kube's (no tolerationSeconds).
        #expect(pod.spec?["tolerations"]?[0]?["tolerationSeconds"] == nil)
        #expect(DaemonSetNodes.targetNode(of: pod) == "mizzen")
    }
}
