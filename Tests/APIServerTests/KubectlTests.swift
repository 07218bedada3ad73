import APIServer
import Foundation
import Resources
import TestSupport
import Testing

/// The embedded API server driven by the real kubectl (v1.32 on these machines).
@Suite("kubectl against mizzen serve", .enabled(if: Kubectl.isInstalled))
struct KubectlTests {
    static let widgetCRD = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.com
        spec:
          group: example.com
          scope: Namespaced
          names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
          versions:
            - name: v1
              served: true
              storage: true
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec:
                      type: object
                      required: [size]
                      properties:
                        size: {type: integer, minimum: 1}
                        colour: {type: string, enum: [red, blue]}
        """

    static func deployment(containers: String) -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels: {app: web}
        spec:
          replicas: 2
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
        \(containers)
        """
    }

    @Test("api-resources lists the built-in kinds")
    func apiResources() async throws {
        let plane = try await EmbeddedPlane.start()
        let output = try await plane.kubectlOK(["api-resources"])
        for line in ["namespaces", "configmaps", "deployments", "customresourcedefinitions", "leases"] {
            #expect(output.contains(line), "\(line) missing in:\n\(output)")
        }
        await plane.stop()
    }

    @Test("a CRD is served at once, reports Established, and checks its objects")
    func customResources() async throws {
        let plane = try await EmbeddedPlane.start()
        try await plane.kubectlOK(["apply", "-f", "-"], stdin: Self.widgetCRD)
        try await plane.kubectlOK(["wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=20s"])
        let applied = try await plane.kubectlOK(["apply", "-f", "-"], stdin: """
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w1}
            spec: {size: 3, colour: red}
            """)
        #expect(applied.contains("widget.example.com/w1 created"))
        let got = try JSONValue(parsingJSON: try await plane.kubectlOK(["get", "wd", "w1", "-o", "json"]))
        #expect(got["spec"]?["size"] == 3)
        let bad = try await plane.kubectl(["apply", "-f", "-"], stdin: """
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w2}
            spec: {size: 0, colour: green}
            """)
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("is invalid"))
        #expect(bad.stderr.contains("spec.size"))
        #expect(bad.stderr.contains("spec.colour"))
        await plane.stop()
    }

    @Test("client-side apply adds, removes and changes containers and env through strategic merge")
    func clientSideApply() async throws {
        let plane = try await EmbeddedPlane.start()
        try await plane.kubectlOK(["apply", "-f", "-"], stdin: Self.deployment(containers: """
                    - name: web
                      image: nginx:1.25
                      env: [{name: MODE, value: one}]
                    - name: sidecar
                      image: busybox:1.36
            """))
        let second = try await plane.kubectlOK(["apply", "-f", "-"], stdin: Self.deployment(containers: """
                    - name: web
                      image: nginx:1.25
                      env: [{name: MODE, value: two}]
                    - name: metrics
                      image: prom/statsd-exporter:v0.26
            """))
        #expect(second.contains("deployment.apps/web configured"))
        let object = try JSONValue(parsingJSON: try await plane.kubectlOK(["get", "deployment", "web", "-o", "json"]))
        let containers = object["spec"]?["template"]?["spec"]?["containers"]?.arrayValue ?? []
        #expect(containers.compactMap { $0["name"]?.stringValue } == ["web", "metrics"])
        #expect(containers.first?["env"] == [["name": "MODE", "value": "two"]])
        await plane.stop()
    }

    @Test("server-side apply: a second manager conflicts, --force-conflicts takes the field")
    func serverSideApply() async throws {
        let plane = try await EmbeddedPlane.start()
        let first = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            data: {colour: red, size: "3"}
            """
        try await plane.kubectlOK(["apply", "--server-side", "--field-manager=alice", "-f", "-"], stdin: first)
        let conflicting = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            data: {colour: blue}
            """
        let refused = try await plane.kubectl(["apply", "--server-side", "--field-manager=bob", "-f", "-"], stdin: conflicting)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("conflict"))
        #expect(refused.stderr.contains("alice"))
        try await plane.kubectlOK(["apply", "--server-side", "--field-manager=bob", "--force-conflicts", "-f", "-"],
                            stdin: conflicting)
        let object = try JSONValue(parsingJSON: try await plane.kubectlOK(
            ["get", "configmap", "settings", "-o", "json", "--show-managed-fields"]))
        #expect(object["data"]?["colour"] == "blue")
        #expect(object["data"]?["size"] == "3")
        let managers = object["metadata"]?["managedFields"]?.arrayValue?.compactMap { $0["manager"]?.stringValue } ?? []
        #expect(Set(managers) == ["alice", "bob"])
        await plane.stop()
    }

    @Test("patch merge, json, strategic and status; label, annotate, scale; get -o yaml")
    func patchesAndVerbs() async throws {
        let plane = try await EmbeddedPlane.start()
        try await plane.kubectlOK(["apply", "-f", "-"], stdin: Self.deployment(containers: """
                    - name: web
                      image: nginx:1.25
            """))
        try await plane.kubectlOK(["patch", "deployment", "web", "--type", "merge", "-p", #"{"spec":{"replicas":4}}"#])
        try await plane.kubectlOK(["patch", "deployment", "web", "--type", "json",
                             "-p", #"[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.27"}]"#])
        try await plane.kubectlOK(["patch", "deployment", "web", "--type", "strategic",
                             "-p", #"{"spec":{"template":{"spec":{"containers":[{"name":"log","image":"busybox"}]}}}}"#])
        try await plane.kubectlOK(["patch", "deployment", "web", "--subresource=status", "--type", "merge",
                             "-p", #"{"status":{"replicas":4,"readyReplicas":4}}"#])
        // A status kube-apiserver would refuse is refused: more ready replicas than replicas.
        let refused = try await plane.kubectl(["patch", "deployment", "web", "--subresource=status", "--type", "merge",
                                               "-p", #"{"status":{"readyReplicas":5}}"#])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("status.readyReplicas: Invalid value: 5: cannot be greater than status.replicas"))
        try await plane.kubectlOK(["label", "deployment", "web", "tier=frontend"])
        try await plane.kubectlOK(["annotate", "deployment", "web", "owner=alice"])
        try await plane.kubectlOK(["scale", "deployment", "web", "--replicas=6"])
        let yaml = try await plane.kubectlOK(["get", "deployment", "web", "-o", "yaml"])
        let object = try #require(try DocumentDecoder.decode(yaml, file: nil).first).value
        #expect(object["spec"]?["replicas"] == 6)
        let containers = object["spec"]?["template"]?["spec"]?["containers"]?.arrayValue ?? []
        // Strategic merge puts the patch's new items before the ones only the server had, as kube does.
        #expect(containers.compactMap { $0["name"]?.stringValue } == ["log", "web"])
        #expect(containers.first { $0["name"] == "web" }?["image"] == "nginx:1.27")
        #expect(object["status"]?["readyReplicas"] == 4)
        #expect(object["metadata"]?["labels"]?["tier"] == "frontend")
        #expect(object["metadata"]?["annotations"]?["owner"] == "alice")
        await plane.stop()
    }

    @Test("get -w sees ADDED, MODIFIED and DELETED")
    func watch() async throws {
        let plane = try await EmbeddedPlane.start()
        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: Kubectl.path)
        // The client gives up after 8 s, which ends the watch and kubectl with it.
        watcher.arguments = ["--kubeconfig", plane.endpoint.kubeconfig.path, "get", "configmaps", "-w",
                             "--output-watch-events", "-o", "json", "--request-timeout=8s"]
        let output = Pipe()
        watcher.standardOutput = output
        watcher.standardError = FileHandle.nullDevice
        try watcher.run()
        // Read on a Dispatch thread, never on the cooperative pool the server runs on.
        async let printed: String = withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let data = output.fileHandleForReading.readDataToEndOfFile()
                watcher.waitUntilExit()
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }
        }
        // The watch is open once the server has one: until then a change could be missed.
        #expect(try await eventually { plane.server.openWatchCount > 0 })
        try await plane.kubectlOK(["apply", "-f", "-"], stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched}\n")
        try await plane.kubectlOK(["label", "configmap", "watched", "seen=yes"])
        try await plane.kubectlOK(["delete", "configmap", "watched"])
        let text = await printed
        #expect(text.contains("\"ADDED\""))
        #expect(text.contains("\"MODIFIED\""))
        #expect(text.contains("\"DELETED\""))
        await plane.stop()
    }

    @Test("delete waits on finalizers, collects children, and empties a namespace")
    func deletion() async throws {
        let plane = try await EmbeddedPlane.start()
        try await plane.kubectlOK(["apply", "-f", "-"], stdin: """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: held, finalizers: [example.com/hold]}
            """)
        try await plane.kubectlOK(["delete", "configmap", "held", "--wait=false"])
        let held = try JSONValue(parsingJSON: try await plane.kubectlOK(["get", "configmap", "held", "-o", "json"]))
        #expect(held["metadata"]?["deletionTimestamp"] != nil)
        try await plane.kubectlOK(["patch", "configmap", "held", "--type", "merge", "-p", #"{"metadata":{"finalizers":null}}"#])
        #expect(try await eventually { try await plane.kubectl(["get", "configmap", "held"]).status != 0 })

        try await plane.kubectlOK(["apply", "-f", "-"], stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owner}\n")
        let owner = try JSONValue(parsingJSON: try await plane.kubectlOK(["get", "configmap", "owner", "-o", "json"]))
        let uid = try #require(owner["metadata"]?["uid"]?.stringValue)
        try await plane.kubectlOK(["apply", "-f", "-"], stdin: """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: child
              ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: owner, uid: \(uid)}]
            """)
        try await plane.kubectlOK(["delete", "configmap", "owner"])
        #expect(try await eventually { try await plane.kubectl(["get", "configmap", "child"]).status != 0 })

        try await plane.kubectlOK(["apply", "-f", "-"], stdin: """
            apiVersion: v1
            kind: Namespace
            metadata: {name: scratch}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: inside, namespace: scratch}
            """)
        try await plane.kubectlOK(["delete", "namespace", "scratch"])
        #expect(try await eventually { try await plane.kubectl(["get", "namespace", "scratch"]).status != 0 })
        #expect(try await plane.kubectl(["get", "configmap", "inside", "-n", "scratch"]).status != 0)
        await plane.stop()
    }

    @Test("a request with a wrong token gets 401")
    func wrongToken() async throws {
        let plane = try await EmbeddedPlane.start()
        let result = try await plane.kubectl(["get", "configmaps", "--token", "not-the-token"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("Unauthorized") || result.stderr.contains("must be logged in"))
        await plane.stop()
    }
}
