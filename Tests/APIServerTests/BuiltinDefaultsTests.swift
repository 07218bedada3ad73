import APIServer
import Foundation
import OrderedCollections
import Resources
import TestSupport
import Testing

/// Defaults, allocation and validation of the built-in kinds, end to end with kubectl, compared
/// with what kube-apiserver answers to the same commands.
@Suite("Built-in kinds are defaulted and validated like kube-apiserver does", .enabled(if: Kubectl.isInstalled))
struct BuiltinDefaultsTests {
    static func withPlane(_ body: (EmbeddedPlane) async throws -> Void) async throws {
        let plane = try await EmbeddedPlane.start(oam: false)
        do {
            try await body(plane)
        } catch {
            await plane.stop()
            throw error
        }
        await plane.stop()
    }

    static func json(_ text: String) throws -> JSONValue { try JSONValue(parsingJSON: text) }

    @Test("kubectl create deployment stores kube's defaults, and applying it again changes nothing")
    func deploymentDefaults() async throws {
        try await Self.withPlane { plane in
            try await plane.kubectlOK(["create", "deployment", "web", "--image=nginx"])
            let object = try Self.json(try await plane.kubectlOK(["get", "deployment", "web", "-o", "json"]))
            let spec = object["spec"]
            #expect(spec?["replicas"] == 1)
            #expect(spec?["revisionHistoryLimit"] == 10)
            #expect(spec?["progressDeadlineSeconds"] == 600)
            #expect(spec?["strategy"] == ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": "25%"]])
            let pod = spec?["template"]?["spec"]
            #expect(pod?["restartPolicy"] == "Always")
            #expect(pod?["dnsPolicy"] == "ClusterFirst")
            #expect(pod?["schedulerName"] == "default-scheduler")
            #expect(pod?["securityContext"] == [:])
            #expect(pod?["terminationGracePeriodSeconds"] == 30)
            #expect(pod?["containers"]?[0]?["imagePullPolicy"] == "Always")
            #expect(pod?["containers"]?[0]?["terminationMessagePath"] == "/dev/termination-log")
            #expect(pod?["containers"]?[0]?["terminationMessagePolicy"] == "File")

            // A manifest without the defaults is the same object: no write, same resourceVersion.
            let manifest = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: api}
                spec:
                  selector: {matchLabels: {app: api}}
                  template:
                    metadata: {labels: {app: api}}
                    spec: {containers: [{name: api, image: "api:1", ports: [{containerPort: 8080}]}]}
                """
            try await plane.kubectlOK(["apply", "-f", "-"], stdin: manifest)
            let before = try await plane.kubectlOK(["get", "deployment", "api", "-o", "jsonpath={.metadata.resourceVersion}"])
            let again = try await plane.kubectlOK(["apply", "-f", "-"], stdin: manifest)
            #expect(again.contains("unchanged"))
            let version = { try await plane.kubectlOK(["get", "deployment", "api", "-o", "jsonpath={.metadata.resourceVersion}"]) }
            #expect(try await version() == before)
            // Server-side apply takes the fields over (a write), then applying again is a no-op.
            try await plane.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: manifest)
            let owned = try await version()
            try await plane.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: manifest)
            #expect(try await version() == owned)
            #expect(try await plane.kubectlOK(
                ["get", "deployment", "api", "-o", "jsonpath={.spec.template.spec.containers[0].ports[0].protocol}"]) == "TCP")
        }
    }

    @Test("kubectl expose allocates distinct cluster IPs from 10.96.0.0/12; a taken IP is refused like kube refuses it")
    func serviceAllocation() async throws {
        try await Self.withPlane { plane in
            try await plane.kubectlOK(["create", "deployment", "web", "--image=nginx"])
            try await plane.kubectlOK(["expose", "deployment", "web", "--port=80"])
            let web = try Self.json(try await plane.kubectlOK(["get", "service", "web", "-o", "json"]))
            let ip = try #require(web["spec"]?["clusterIP"]?.stringValue)
            #expect(ip.hasPrefix("10.9") || ip.hasPrefix("10.10") || ip.hasPrefix("10.11"))
            #expect(web["spec"]?["clusterIPs"] == [.string(ip)])
            #expect(web["spec"]?["ipFamilies"] == ["IPv4"])
            #expect(web["spec"]?["ipFamilyPolicy"] == "SingleStack")
            #expect(web["spec"]?["sessionAffinity"] == "None")
            #expect(web["spec"]?["internalTrafficPolicy"] == "Cluster")
            #expect(web["spec"]?["ports"]?[0] == ["port": 80, "protocol": "TCP", "targetPort": 80])

            try await plane.kubectlOK(["create", "service", "nodeport", "edge", "--tcp=8080"])
            let edge = try Self.json(try await plane.kubectlOK(["get", "service", "edge", "-o", "json"]))
            #expect(edge["spec"]?["clusterIP"]?.stringValue != ip)
            let nodePort = try #require(edge["spec"]?["ports"]?[0]?["nodePort"]?.intValue)
            #expect((30_000...32_767).contains(nodePort))
            #expect(edge["spec"]?["externalTrafficPolicy"] == "Cluster")

            let taken = """
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"copy"},"spec":{"clusterIP":"\(ip)","ports":[{"port":80}]}}
                """
            let refused = try await plane.kubectl(["create", "-f", "-"], stdin: taken)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains(#"The Service "copy" is invalid: spec.clusterIPs: Invalid value: ["\#(ip)"]: failed to allocate IP \#(ip): provided IP is already allocated"#),
                    "\(refused.stderr)")

            // An update that leaves the cluster IP out keeps it (kubectl replace of a manifest).
            let replaced = """
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"selector":{"app":"web"},"ports":[{"port":81}]}}
                """
            try await plane.kubectlOK(["replace", "-f", "-"], stdin: replaced)
            #expect(try await plane.kubectlOK(["get", "service", "web", "-o", "jsonpath={.spec.clusterIP}"]) == ip)
            let changed = try await plane.kubectl(["patch", "service", "web", "-p", #"{"spec":{"clusterIP":"10.96.0.77","clusterIPs":["10.96.0.77"]}}"#])
            #expect(changed.status == 1)
            #expect(changed.stderr.contains("spec.clusterIPs[0]: Invalid value: [\"10.96.0.77\"]: may not change once set"), "\(changed.stderr)")
        }
    }

    @Test("Services created at the same time get different cluster IPs")
    func concurrentAllocation() async throws {
        try await Self.withPlane { plane in
            let handler = plane.server.handler
            let ips = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<24 {
                    group.addTask {
                        let body = #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"s\#(index)"},"spec":{"ports":[{"port":80}]}}"#
                        let response = await handler.handle(APIRequest(
                            method: "POST", path: "/api/v1/namespaces/default/services", body: Array(body.utf8)))
                        guard case .json(201, let object, _) = response else { return "" }
                        return object["spec"]?["clusterIP"]?.stringValue ?? ""
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(ips.count == 24)
            #expect(!ips.contains(""))
            #expect(Set(ips).count == 24)
        }
    }

    @Test("the plane has kube's kubernetes Service and labels namespaces with their names")
    func clusterObjects() async throws {
        try await Self.withPlane { plane in
            let service = try Self.json(try await plane.kubectlOK(["get", "service", "kubernetes", "-n", "default", "-o", "json"]))
            #expect(service["spec"]?["clusterIP"] == "10.96.0.1")
            #expect(service["spec"]?["ports"]?[0]?["port"] == 443)
            #expect(service["metadata"]?["labels"] == ["component": "apiserver", "provider": "kubernetes"])
            #expect(try await plane.kubectlOK(["get", "namespace", "default", "-o", "jsonpath={.metadata.labels}"])
                == #"{"kubernetes.io/metadata.name":"default"}"#)
            try await plane.kubectlOK(["create", "namespace", "team-a"])
            #expect(try await plane.kubectlOK(["get", "namespace", "team-a", "-o", "jsonpath={.metadata.labels}"])
                == #"{"kubernetes.io/metadata.name":"team-a"}"#)
        }
    }

    @Test("Secrets: stringData becomes data, a TLS Secret without its keys is refused with kube's causes")
    func secrets() async throws {
        try await Self.withPlane { plane in
            try await plane.kubectlOK(["apply", "-f", "-"], stdin: """
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"creds"},"stringData":{"user":"admin"}}
                """)
            let creds = try Self.json(try await plane.kubectlOK(["get", "secret", "creds", "-o", "json"]))
            #expect(creds["data"] == ["user": "YWRtaW4="])
            #expect(creds["stringData"] == nil)
            #expect(creds["type"] == "Opaque")

            let tls = try await plane.kubectl(["create", "secret", "generic", "site", "--type=kubernetes.io/tls", "--from-literal=a=b"])
            #expect(tls.status == 1)
            // kube brackets a list of several causes: `is invalid: [data[tls.crt]: …, data[tls.key]: …]`.
            #expect(tls.stderr.contains(#"Secret "site" is invalid: "#), "\(tls.stderr)")
            #expect(tls.stderr.contains("data[tls.crt]: Required value, data[tls.key]: Required value"), "\(tls.stderr)")
        }
    }

    @Test("an immutable ConfigMap refuses data changes and being made mutable again")
    func immutableConfigMap() async throws {
        try await Self.withPlane { plane in
            try await plane.kubectlOK(["create", "configmap", "settings", "--from-literal=a=1"])
            try await plane.kubectlOK(["patch", "configmap", "settings", "-p", #"{"immutable":true}"#])
            let edit = try await plane.kubectl(["patch", "configmap", "settings", "-p", #"{"data":{"a":"2"}}"#])
            #expect(edit.status == 1)
            #expect(edit.stderr.contains(#"The ConfigMap "settings" is invalid: data: Forbidden: field is immutable when `immutable` is set"#),
                    "\(edit.stderr)")
            let unset = try await plane.kubectl(["patch", "configmap", "settings", "-p", #"{"immutable":false}"#])
            #expect(unset.stderr.contains("immutable: Forbidden: field is immutable when `immutable` is set"), "\(unset.stderr)")
            try await plane.kubectlOK(["label", "configmap", "settings", "tier=gold"])
        }
    }

    @Test("a Deployment whose selector does not match its template is refused as kube refuses it")
    func selectorMismatch() async throws {
        try await Self.withPlane { plane in
            let result = try await plane.kubectl(["create", "-f", "-"], stdin: """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: bad}
                spec:
                  selector: {matchLabels: {app: bad}}
                  template:
                    metadata: {labels: {app: other}}
                    spec: {containers: [{name: c, image: nginx}]}
                """)
            #expect(result.status == 1)
            #expect(result.stderr.contains(
                #"The Deployment "bad" is invalid: spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not match template `labels`"#),
                    "\(result.stderr)")

            try await plane.kubectlOK(["create", "deployment", "web", "--image=nginx"])
            let changed = try await plane.kubectl(["patch", "deployment", "web", "-p",
                #"{"spec":{"selector":{"matchLabels":{"app":"web","x":"y"}},"template":{"metadata":{"labels":{"x":"y"}}}}}"#])
            #expect(changed.status == 1)
            #expect(changed.stderr.contains("spec.selector: Invalid value:") && changed.stderr.contains("field is immutable"),
                    "\(changed.stderr)")
            let negative = try await plane.kubectl(["scale", "deployment", "web", "--replicas=-1"])
            #expect(negative.status != 0)
        }
    }

    @Test("annotations larger than 256 KiB in total are refused at metadata.annotations, as kube refuses them")
    func annotationSize() async throws {
        try await Self.withPlane { plane in
            let big = String(repeating: "x", count: 262_200)
            let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big","annotations":{"a":"\#(big)"}}}"#
            let response = await plane.server.handler.handle(APIRequest(
                method: "POST", path: "/api/v1/namespaces/default/configmaps", body: Array(body.utf8)))
            guard case .json(let status, let answer, _) = response else {
                Issue.record("not a JSON answer")
                return
            }
            #expect(status == 422)
            #expect(answer["details"]?["causes"] == [[
                "reason": "FieldValueTooLong", "message": "Too long: may not be more than 262144 bytes",
                "field": "metadata.annotations",
            ]])
        }
    }

    @Test("changing a Service's type drops what only the old type needed, and allocates what the new one needs")
    func serviceTypeChanges() async throws {
        try await Self.withPlane { plane in
            try await plane.kubectlOK(["create", "service", "nodeport", "edge", "--tcp=80"])
            let spec = { try Self.json(try await plane.kubectlOK(["get", "service", "edge", "-o", "json"]))["spec"] }
            let ip = try #require(try await spec()?["clusterIP"]?.stringValue)
            try await plane.kubectlOK(["patch", "service", "edge", "-p", #"{"spec":{"type":"ClusterIP"}}"#])
            var now = try await spec()
            #expect(now?["ports"]?[0]?["nodePort"] == nil)
            #expect(now?["externalTrafficPolicy"] == nil)
            #expect(now?["clusterIP"] == .string(ip))
            try await plane.kubectlOK(["patch", "service", "edge", "-p", #"{"spec":{"type":"ExternalName","externalName":"x.example.com"}}"#])
            now = try await spec()
            #expect(now?["clusterIP"] == nil)
            #expect(now?["ipFamilies"] == nil)
            #expect(now?["internalTrafficPolicy"] == nil)
            try await plane.kubectlOK(["patch", "service", "edge", "-p", #"{"spec":{"type":"LoadBalancer"}}"#])
            now = try await spec()
            #expect(now?["clusterIP"]?.stringValue?.hasPrefix("10.") == true)
            #expect(now?["ports"]?[0]?["nodePort"]?.intValue != nil)
            #expect(now?["allocateLoadBalancerNodePorts"] == true)
            #expect(now?["externalTrafficPolicy"] == "Cluster")
        }
    }
}
