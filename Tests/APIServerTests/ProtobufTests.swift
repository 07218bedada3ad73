import APIServer
import BuiltinKinds
import Foundation
import Resources
import TestSupport
import Testing

/// kubectl's generators send built-in kinds as protobuf, and typed clients accept protobuf back:
/// the embedded plane reads and writes it as kube-apiserver does.
@Suite("Protobuf bodies", .enabled(if: Kubectl.isInstalled))
struct ProtobufTests {
    /// The plane with a namespace `shop`, created through a protobuf body.
    static func plane() async throws -> EmbeddedPlane {
        let plane = try await EmbeddedPlane.start(oam: false)
        try await plane.kubectlOK(["create", "namespace", "shop"])
        return plane
    }

    /// The object `kubectl get -o json` prints.
    static func get(_ plane: EmbeddedPlane, _ arguments: [String]) async throws -> JSONValue {
        try JSONValue(parsingJSON: try await plane.kubectlOK(["get"] + arguments + ["-o", "json"]))
    }

    /// A raw HTTPS request with curl; the body bytes, status code and content type.
    static func curl(
        _ plane: EmbeddedPlane, _ path: String, method: String = "GET", accept: String,
        contentType: String? = nil, body: [UInt8]? = nil
    ) async throws -> (status: Int, contentType: String, body: [UInt8]) {
        let output = plane.directory.appendingPathComponent("curl-\(UUID().uuidString).out")
        var arguments = [
            "-sk", "-X", method, "-o", output.path, "-w", "%{http_code} %{content_type}",
            "-H", "Authorization: Bearer \(plane.token)", "-H", "Accept: \(accept)",
        ]
        if let contentType, let body {
            let input = plane.directory.appendingPathComponent("curl-\(UUID().uuidString).in")
            try Data(body).write(to: input)
            arguments += ["-H", "Content-Type: \(contentType)", "--data-binary", "@\(input.path)"]
        }
        let result = try await ProcessRunner.run(
            URL(fileURLWithPath: "/usr/bin/curl"), arguments + [plane.endpoint.url + path])
        let parts = result.stdout.split(separator: " ", maxSplits: 1)
        let bytes = (try? [UInt8](Data(contentsOf: output))) ?? []
        return (Int(parts.first ?? "") ?? 0, parts.count > 1 ? String(parts[1]) : "", bytes)
    }

    @Test("namespace, configmap and the three secret generators store what kubectl sent")
    func configMapsAndSecrets() async throws {
        let plane = try await Self.plane()
        defer { Task { await plane.stop() } }
        let namespace = try await Self.get(plane, ["namespace", "shop"])
        #expect(namespace["metadata"]?["name"] == "shop")

        try await plane.kubectlOK(["create", "configmap", "settings", "-n", "shop", "--from-literal=b=2", "--from-literal=a=1"])
        let configMap = try await Self.get(plane, ["configmap", "settings", "-n", "shop"])
        #expect(configMap["data"] == ["a": "1", "b": "2"])
        #expect(configMap["kind"] == "ConfigMap")

        try await plane.kubectlOK(["create", "secret", "generic", "creds", "-n", "shop", "--from-literal=password=hunter2"])
        let generic = try await Self.get(plane, ["secret", "creds", "-n", "shop"])
        #expect(generic["data"]?["password"] == .string(Data("hunter2".utf8).base64EncodedString()))
        #expect(generic["type"] == "Opaque")

        try await plane.kubectlOK([
            "create", "secret", "docker-registry", "registry", "-n", "shop", "--docker-server=registry.example",
            "--docker-username=robot", "--docker-password=s3cret",
        ])
        let registry = try await Self.get(plane, ["secret", "registry", "-n", "shop"])
        #expect(registry["type"] == "kubernetes.io/dockerconfigjson")
        let config = try #require(registry["data"]?[".dockerconfigjson"]?.stringValue.flatMap { Data(base64Encoded: $0) })
        #expect(String(decoding: config, as: UTF8.self).contains("registry.example"))

        let key = plane.directory.appendingPathComponent("tls.key").path
        let certificate = plane.directory.appendingPathComponent("tls.crt").path
        let openssl = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/openssl"), [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
            "-subj", "/CN=shop.example",
        ])
        try #require(openssl.status == 0, "openssl: \(openssl.stderr)")
        try await plane.kubectlOK(["create", "secret", "tls", "web-tls", "-n", "shop", "--cert=\(certificate)", "--key=\(key)"])
        let tls = try await Self.get(plane, ["secret", "web-tls", "-n", "shop"])
        #expect(tls["type"] == "kubernetes.io/tls")
        let storedCertificate = try #require(tls["data"]?["tls.crt"]?.stringValue.flatMap { Data(base64Encoded: $0) })
        #expect(storedCertificate == (try Data(contentsOf: URL(fileURLWithPath: certificate))))
        #expect(tls["data"]?["tls.key"] != nil)
    }

    @Test("deployment, service and serviceaccount generators store what kubectl sent, replicas 0 included")
    func workloads() async throws {
        let plane = try await Self.plane()
        defer { Task { await plane.stop() } }
        try await plane.kubectlOK(["create", "deployment", "web", "-n", "shop", "--image=nginx:1.27", "--replicas=0", "--port=8080"])
        let deployment = try await Self.get(plane, ["deployment", "web", "-n", "shop"])
        #expect(deployment["spec"]?["replicas"] == 0)
        #expect(deployment["spec"]?["selector"]?["matchLabels"] == ["app": "web"])
        let container = try #require(deployment["spec"]?["template"]?["spec"]?["containers"]?[0])
        #expect(container["name"] == "nginx")
        #expect(container["image"] == "nginx:1.27")
        #expect(container["ports"]?[0]?["containerPort"] == 8080)
        #expect(deployment["spec"]?["template"]?["metadata"]?["labels"] == ["app": "web"])

        try await plane.kubectlOK(["create", "service", "clusterip", "web", "-n", "shop", "--tcp=80:8080"])
        let service = try await Self.get(plane, ["service", "web", "-n", "shop"])
        let port = try #require(service["spec"]?["ports"]?[0])
        #expect(port["port"] == 80)
        #expect(port["targetPort"] == 8080)
        #expect(port["protocol"] == "TCP")
        #expect(port["name"] == "80-8080")
        #expect(service["spec"]?["selector"] == ["app": "web"])

        try await plane.kubectlOK(["create", "serviceaccount", "robot", "-n", "shop"])
        let account = try await Self.get(plane, ["serviceaccount", "robot", "-n", "shop"])
        #expect(account["metadata"]?["name"] == "robot")

        // describe reads through client-go's typed clients, which accept protobuf answers.
        let described = try await plane.kubectlOK(["describe", "deployment", "web", "-n", "shop"])
        #expect(described.contains("nginx:1.27"), "\(described)")
        let describedService = try await plane.kubectlOK(["describe", "service", "web", "-n", "shop"])
        #expect(describedService.contains("8080/TCP"), "\(describedService)")
    }

    @Test("typed kubectl commands (describe, create token, auth whoami, auth can-i) work over protobuf both ways")
    func typedCommands() async throws {
        let plane = try await Self.plane()
        defer { Task { await plane.stop() } }
        try await plane.kubectlOK(["create", "configmap", "settings", "-n", "shop", "--from-literal=a=1"])
        try await plane.kubectlOK(["create", "secret", "generic", "creds", "-n", "shop", "--from-literal=password=x"])
        try await plane.kubectlOK(["create", "serviceaccount", "robot", "-n", "shop"])
        for arguments in [["namespace", "shop"], ["configmap", "settings", "-n", "shop"], ["secret", "creds", "-n", "shop"],
                          ["serviceaccount", "robot", "-n", "shop"]] {
            let described = try await plane.kubectlOK(["describe"] + arguments)
            #expect(described.contains(arguments[1]), "\(described)")
        }
        let token = try await plane.kubectlOK(["create", "token", "robot", "-n", "shop"])
        #expect(token.split(separator: ".").count == 3, "\(token)")
        let whoami = try await plane.kubectl(["auth", "whoami"])
        #expect(whoami.status == 0, "\(whoami.stderr)")
        let canI = try await plane.kubectl(["auth", "can-i", "create", "configmaps", "-n", "shop"])
        #expect(canI.stdout.contains("yes"), "\(canI.stdout) \(canI.stderr)")
    }

    @Test("--dry-run=server answers the object through protobuf and stores nothing")
    func dryRun() async throws {
        let plane = try await Self.plane()
        defer { Task { await plane.stop() } }
        let printed = try JSONValue(parsingJSON: try await plane.kubectlOK([
            "create", "configmap", "trial", "-n", "shop", "--from-literal=a=1", "--dry-run=server", "-o", "json",
        ]))
        #expect(printed["data"] == ["a": "1"])
        #expect(printed["metadata"]?["name"] == "trial")
        let printedDeployment = try JSONValue(parsingJSON: try await plane.kubectlOK([
            "create", "deployment", "trial", "-n", "shop", "--image=nginx", "--dry-run=server", "-o", "json",
        ]))
        #expect(printedDeployment["spec"]?["replicas"] == 1)
        let missing = try await plane.kubectl(["get", "configmap", "trial", "-n", "shop"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("not found"))
        let missingDeployment = try await plane.kubectl(["get", "deployment", "trial", "-n", "shop"])
        #expect(missingDeployment.status != 0)
    }

    @Test("an invalid name answers 422 and a duplicate 409, carried back to kubectl")
    func errors() async throws {
        let plane = try await Self.plane()
        defer { Task { await plane.stop() } }
        let invalid = try await plane.kubectl(["create", "configmap", "Bad_Name", "-n", "shop", "--from-literal=a=1"])
        #expect(invalid.status != 0)
        #expect(invalid.stderr.contains("ConfigMap \"Bad_Name\" is invalid"), "\(invalid.stderr)")
        #expect(invalid.stderr.contains("metadata.name: Invalid value: \"Bad_Name\""), "\(invalid.stderr)")

        try await plane.kubectlOK(["create", "configmap", "settings", "-n", "shop", "--from-literal=a=1"])
        let duplicate = try await plane.kubectl(["create", "configmap", "settings", "-n", "shop", "--from-literal=a=1"])
        #expect(duplicate.status != 0)
        #expect(duplicate.stderr.contains("configmaps \"settings\" already exists"), "\(duplicate.stderr)")
        let duplicateNamespace = try await plane.kubectl(["create", "namespace", "shop"])
        #expect(duplicateNamespace.stderr.contains("namespaces \"shop\" already exists"), "\(duplicateNamespace.stderr)")
        let dryInvalid = try await plane.kubectl(["create", "deployment", "Bad", "-n", "shop", "--image=x", "--dry-run=server"])
        #expect(dryInvalid.stderr.contains("is invalid"), "\(dryInvalid.stderr)")
    }

    @Test("a raw request accepting protobuf gets protobuf our codec decodes to the JSON answer")
    func rawProtobufAnswers() async throws {
        let plane = try await Self.plane()
        defer { Task { await plane.stop() } }
        try await plane.kubectlOK(["create", "configmap", "settings", "-n", "shop", "--from-literal=a=1"])
        let path = "/api/v1/namespaces/shop/configmaps/settings"
        let answer = try await Self.curl(plane, path, accept: "application/vnd.kubernetes.protobuf, application/json")
        #expect(answer.status == 200)
        #expect(answer.contentType == "application/vnd.kubernetes.protobuf")
        #expect(Array(answer.body.prefix(4)) == ProtobufCodec.magic)
        let decoded = try ProtobufCodec.decode(answer.body)
        let json = try await Self.curl(plane, path, accept: "application/json")
        #expect(json.contentType.hasPrefix("application/json"))
        #expect(decoded == (try JSONValue(parsingJSON: json.body)))

        // Lists and Status errors are protobuf too.
        let list = try await Self.curl(
            plane, "/api/v1/namespaces/shop/configmaps?fieldSelector=metadata.name%3Dsettings",
            accept: "application/vnd.kubernetes.protobuf")
        #expect(try ProtobufCodec.decode(list.body)["items"]?[0]?["metadata"]?["name"] == "settings")
        let missing = try await Self.curl(plane, path + "x", accept: "application/vnd.kubernetes.protobuf")
        #expect(missing.status == 404)
        let status = try ProtobufCodec.decode(missing.body)
        #expect(status["kind"] == "Status")
        #expect(status["reason"] == "NotFound")
        #expect(status["code"] == 404)

        // A protobuf body that creates an object.
        let body = try ProtobufCodec.encode([
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "raw"], "data": ["k": "v"],
        ])
        let created = try await Self.curl(
            plane, "/api/v1/namespaces/shop/configmaps", method: "POST", accept: "application/json",
            contentType: ProtobufCodec.mediaType, body: body)
        #expect(created.status == 201)
        #expect((try JSONValue(parsingJSON: created.body))["data"] == ["k": "v"])
        // Malformed protobuf is a 400.
        let malformed = try await Self.curl(
            plane, "/api/v1/namespaces/shop/configmaps", method: "POST", accept: "application/json",
            contentType: ProtobufCodec.mediaType, body: ProtobufCodec.magic + [0x0A, 0x02, 0x0A])
        #expect(malformed.status == 400)
    }

    @Test("a watch of a built-in kind streams length-prefixed protobuf WatchEvents to a client that prefers them")
    func protobufWatch() async throws {
        let plane = try await Self.plane()
        defer { Task { await plane.stop() } }
        try await plane.kubectlOK(["create", "configmap", "settings", "-n", "shop", "--from-literal=a=1"])
        let watch = try await Self.curl(
            plane, "/api/v1/namespaces/shop/configmaps?watch=1&timeoutSeconds=1&fieldSelector=metadata.name%3Dsettings",
            accept: "application/vnd.kubernetes.protobuf;stream=watch, application/json")
        #expect(watch.status == 200)
        #expect(watch.contentType == ProtobufCodec.watchMediaType)
        let events = try ProtobufCodec.decodeWatchFrames(watch.body)
        #expect(events.first?["type"] == "ADDED")
        #expect(events.first?["object"]?["metadata"]?["name"] == "settings")
        #expect(events.first?["object"]?["data"] == ["a": "1"])
        // JSON for clients that prefer it, and for custom resources.
        let json = try await Self.curl(
            plane, "/api/v1/namespaces/shop/configmaps?watch=1&timeoutSeconds=1", accept: "application/json")
        #expect(json.contentType.hasPrefix("application/json"))
        #expect(String(decoding: json.body, as: UTF8.self).contains("\"ADDED\""))
    }

    @Test("custom resources have no protobuf form: JSON answers, 406 for protobuf only, 415 for a protobuf body")
    func customResources() async throws {
        let plane = try await Self.plane()
        defer { Task { await plane.stop() } }
        try await plane.kubectlOK(["apply", "-f", "-"], stdin: KubectlTests.widgetCRD)
        #expect(try await eventually {
            try await plane.kubectl(["get", "widgets", "-n", "shop"]).status == 0
        })
        try await plane.kubectlOK(["apply", "-n", "shop", "-f", "-"], stdin: """
            {"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"size":2}}
            """)
        let path = "/apis/example.com/v1/namespaces/shop/widgets/w"
        let mixed = try await Self.curl(plane, path, accept: "application/vnd.kubernetes.protobuf, application/json")
        #expect(mixed.status == 200)
        #expect(mixed.contentType.hasPrefix("application/json"))
        let only = try await Self.curl(plane, path, accept: "application/vnd.kubernetes.protobuf")
        #expect(only.status == 406)
        #expect(try ProtobufCodec.decode(only.body)["reason"] == "NotAcceptable")
        let tableOnly = try await Self.curl(
            plane, "/api/v1/namespaces/shop/configmaps", accept: "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io")
        #expect(tableOnly.status == 406)

        var typeMeta: [UInt8] = [0x0A, 14] + Array("example.com/v1".utf8) + [0x12, 6] + Array("Widget".utf8)
        typeMeta = [0x0A, UInt8(typeMeta.count)] + typeMeta
        let posted = try await Self.curl(
            plane, "/apis/example.com/v1/namespaces/shop/widgets", method: "POST", accept: "application/json",
            contentType: ProtobufCodec.mediaType, body: ProtobufCodec.magic + typeMeta)
        #expect(posted.status == 415)
        // The same body sent to a built-in endpoint names the kind it cannot handle, as kube-apiserver does.
        let misplaced = try await Self.curl(
            plane, "/api/v1/namespaces/shop/configmaps", method: "POST", accept: "application/json",
            contentType: ProtobufCodec.mediaType, body: ProtobufCodec.magic + typeMeta)
        #expect(misplaced.status == 400)
        #expect(String(decoding: misplaced.body, as: UTF8.self).contains("no kind \\\"Widget\\\" is registered"))
    }

    /// Paths whose protobuf and JSON answers a real kube-apiserver gives for the objects it
    /// creates itself (RBAC roles, leases with MicroTimes, services, webhooks, CRDs, …).
    static let kitPaths = [
        "/api/v1/namespaces", "/api/v1/configmaps", "/api/v1/services", "/api/v1/serviceaccounts",
        "/api/v1/secrets", "/api/v1/endpoints", "/api/v1/events", "/apis/apps/v1/deployments",
        "/apis/coordination.k8s.io/v1/leases", "/apis/rbac.authorization.k8s.io/v1/clusterroles",
        "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "/apis/rbac.authorization.k8s.io/v1/roles",
        "/apis/scheduling.k8s.io/v1/priorityclasses", "/apis/discovery.k8s.io/v1/endpointslices",
        "/apis/events.k8s.io/v1/events", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
        "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations",
        "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies",
        "/apis/networking.k8s.io/v1/ingressclasses", "/apis/policy/v1/poddisruptionbudgets",
        "/apis/batch/v1/jobs", "/apis/autoscaling/v2/horizontalpodautoscalers",
    ]

    @Test("our codec reads kube-apiserver's protobuf answers as exactly its JSON answers, member order included",
          .enabled(if: RealCluster.isConfigured, Comment(rawValue: RealCluster.skipReason)))
    func decodesKubeAPIServerAnswers() async throws {
        let cluster = try await RealCluster.start()
        defer { Task { await cluster.stopIfStarted() } }
        let kubeconfig = cluster.kubeconfig.path
        let server = try await Kubectl.run(["--kubeconfig", kubeconfig, "config", "view", "--raw", "-o", "jsonpath={.clusters[0].cluster.server}"]).stdout
        let token = try await Kubectl.run(["--kubeconfig", kubeconfig, "config", "view", "--raw", "-o", "jsonpath={.users[0].user.token}"]).stdout
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-proto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        func fetch(_ path: String, accept: String) async throws -> [UInt8] {
            let output = work.appendingPathComponent(UUID().uuidString)
            let result = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/curl"), [
                "-sk", "-o", output.path, "-H", "Authorization: Bearer \(token)", "-H", "Accept: \(accept)", server + path,
            ])
            try #require(result.status == 0, "curl \(path): \(result.stderr)")
            return try [UInt8](Data(contentsOf: output))
        }
        // kube-apiserver reads what our encoder writes (a dry run stores nothing).
        let deployment = try JSONValue(parsingJSON: """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"proto-check","labels":{"app":"p"}},
             "spec":{"replicas":0,"selector":{"matchLabels":{"app":"p"}},
               "template":{"metadata":{"labels":{"app":"p"}},"spec":{"containers":[{"name":"c","image":"nginx",
                 "ports":[{"containerPort":8080}],"resources":{"limits":{"cpu":"500m"}},
                 "readinessProbe":{"httpGet":{"port":"http","path":"/"}}}]}}}}
            """)
        let input = work.appendingPathComponent("deployment.pb")
        try Data(try ProtobufCodec.encode(deployment)).write(to: input)
        let output = work.appendingPathComponent("created.pb")
        let created = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/curl"), [
            "-sk", "-o", output.path, "-w", "%{http_code}", "-X", "POST", "-H", "Authorization: Bearer \(token)",
            "-H", "Accept: \(ProtobufCodec.mediaType)", "-H", "Content-Type: \(ProtobufCodec.mediaType)",
            "--data-binary", "@\(input.path)", server + "/apis/apps/v1/namespaces/default/deployments?dryRun=All",
        ])
        #expect(created.stdout == "201")
        let answer = try ProtobufCodec.decode(try [UInt8](Data(contentsOf: output)))
        #expect(answer["spec"]?["replicas"] == 0)
        let container = answer["spec"]?["template"]?["spec"]?["containers"]?[0]
        #expect(container?["resources"]?["limits"]?["cpu"] == "500m")
        #expect(container?["readinessProbe"]?["httpGet"]?["port"] == "http")
        #expect(container?["ports"]?[0]?["containerPort"] == 8080)

        // Its protobuf watch frames.
        let frames = try ProtobufCodec.decodeWatchFrames(try await fetch(
            "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1", accept: ProtobufCodec.mediaType))
        #expect(frames.first?["type"] == "ADDED")
        #expect(frames.first?["object"]?["kind"] == "ConfigMap")
        #expect(frames.first?["object"]?["metadata"]?["namespace"] == "default")

        for path in Self.kitPaths {
            let protobuf = try ProtobufCodec.decode(try await fetch(path, accept: ProtobufCodec.mediaType))
            // The JSON of the very same resourceVersion.
            let version = protobuf["metadata"]?["resourceVersion"]?.stringValue ?? ""
            let json = try JSONValue(parsingJSON: try await fetch(
                path + "?resourceVersion=\(version)&resourceVersionMatch=Exact", accept: "application/json"))
            #expect(protobuf == json, "\(path) differs")
            #expect(protobuf.jsonString() == json.jsonString(), "\(path): member order differs")
        }
    }
}
