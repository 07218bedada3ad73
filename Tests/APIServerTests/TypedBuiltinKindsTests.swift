import APIServer
import Foundation
import Resources
import TestSupport
import Testing

/// Built-in kinds decoded as kube-apiserver decodes them: typed by the upstream OpenAPI schemas,
/// unknown fields treated as `fieldValidation` says, and explained in full.
@Suite("Built-in kinds are typed like kube-apiserver's", .enabled(if: Kubectl.isInstalled))
struct TypedBuiltinKindsTests {
    static let configMapWithUnknownFields = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, colour: red}
        data: {mode: fast}
        extra: 1
        """

    @Test("--validate=strict refuses unknown fields with 400 strict decoding error naming each path")
    func strict() async throws {
        let plane = try await EmbeddedPlane.start()
        let result = try await plane.kubectl(["create", "--validate=strict", "-f", "-"], stdin: Self.configMapWithUnknownFields)
        #expect(result.status != 0)
        #expect(result.stderr.contains(#"Error from server (BadRequest)"#), "\(result.stderr)")
        #expect(result.stderr.contains(
            #"ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "extra", unknown field "metadata.colour""#),
            "\(result.stderr)")
        let missing = try await plane.kubectl(["get", "configmap", "settings"])
        #expect(missing.status != 0)
        await plane.stop()
    }

    @Test("--validate=warn stores the object without the unknown fields and prints a warning for each")
    func warn() async throws {
        let plane = try await EmbeddedPlane.start()
        let result = try await plane.kubectl(["create", "--validate=warn", "-f", "-"], stdin: Self.configMapWithUnknownFields)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains(#"Warning: unknown field "extra""#), "\(result.stderr)")
        #expect(result.stderr.contains(#"Warning: unknown field "metadata.colour""#), "\(result.stderr)")
        let stored = try JSONValue(parsingJSON: try await plane.kubectlOK(["get", "configmap", "settings", "-o", "json"]))
        #expect(stored["extra"] == nil)
        #expect(stored["metadata"]?["colour"] == nil)
        #expect(stored["data"] == ["mode": "fast"])
        await plane.stop()
    }

    @Test("--validate=ignore drops unknown fields silently")
    func ignore() async throws {
        let plane = try await EmbeddedPlane.start()
        let result = try await plane.kubectl(["create", "--validate=ignore", "-f", "-"], stdin: Self.configMapWithUnknownFields)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("Warning"), "\(result.stderr)")
        let stored = try JSONValue(parsingJSON: try await plane.kubectlOK(["get", "configmap", "settings", "-o", "json"]))
        #expect(stored["extra"] == nil)
        await plane.stop()
    }

    @Test("a request without fieldValidation is answered with Warning headers, as under Warn")
    func warningHeaders() async throws {
        let plane = try await EmbeddedPlane.start()
        let body = Array(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"raw"},"spec":{"x":1}}"#.utf8)
        let answer = await plane.server.handler.handleWithWarnings(
            APIRequest(method: "POST", path: "/api/v1/namespaces/default/configmaps", body: body))
        guard case .warned(.json(let status, let object, _), let warnings) = answer else {
            Issue.record("expected a warned answer, got \(answer)")
            return
        }
        #expect(status == 201)
        #expect(warnings == [#"unknown field "spec""#])
        #expect(object["spec"] == nil)
        await plane.stop()
    }

    @Test("values of the wrong type are 400 BadRequest with Go's message, the field path and both types")
    func typeErrors() async throws {
        let plane = try await EmbeddedPlane.start()
        let number = try await plane.kubectl(["create", "-f", "-"], stdin: """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: numbers}
            data: {a: 1}
            """)
        #expect(number.status != 0)
        #expect(number.stderr.contains(
            #"ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string"#),
            "\(number.stderr)")
        let containers = try await plane.kubectl(["create", "-f", "-"], stdin: """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers: {name: web, image: nginx}
            """)
        #expect(containers.status != 0)
        #expect(containers.stderr.contains("Error from server (BadRequest)"), "\(containers.stderr)")
        #expect(containers.stderr.contains(
            "json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container"),
            "\(containers.stderr)")
        let secret = try await plane.kubectl(["create", "-f", "-"], stdin: """
            apiVersion: v1
            kind: Secret
            metadata: {name: s}
            data: {password: not-base64!}
            """)
        #expect(secret.status != 0)
        #expect(secret.stderr.contains("illegal base64 data at input byte"), "\(secret.stderr)")
        let listed = try await plane.kubectlOK(["get", "configmaps,deployments,secrets", "-o", "name"])
        #expect(!listed.contains("numbers") && !listed.contains("web") && !listed.contains("secret/s"))
        await plane.stop()
    }

    @Test("explain shows a built-in field's fields and descriptions from the upstream schema")
    func explain() async throws {
        let plane = try await EmbeddedPlane.start()
        let strategy = try await plane.kubectlOK(["explain", "deployment.spec.strategy"])
        #expect(strategy.contains("The deployment strategy to use to replace existing pods with new ones."), "\(strategy)")
        #expect(strategy.contains("FIELD: strategy <DeploymentStrategy>"), "\(strategy)")
        #expect(strategy.contains("rollingUpdate\t<RollingUpdateDeployment>"), "\(strategy)")
        #expect(strategy.contains("enum: Recreate, RollingUpdate"), "\(strategy)")
        let containers = try await plane.kubectlOK(["explain", "deployment.spec.template.spec.containers", "--recursive"])
        #expect(containers.contains("imagePullPolicy"), "\(containers)")
        #expect(containers.contains("livenessProbe"), "\(containers)")
        await plane.stop()
    }

    @Test("a strategic merge patch of containers still merges them by name")
    func strategicMerge() async throws {
        let plane = try await EmbeddedPlane.start()
        try await plane.kubectlOK(["create", "-f", "-"], stdin: """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers: [{name: web, image: "nginx:1.25"}, {name: sidecar, image: "busybox:1.36"}]
            """)
        try await plane.kubectlOK([
            "patch", "deployment", "web", "--type=strategic",
            "-p", #"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.37"}]}}}}"#,
        ])
        let object = try JSONValue(parsingJSON: try await plane.kubectlOK(["get", "deployment", "web", "-o", "json"]))
        let containers = object["spec"]?["template"]?["spec"]?["containers"]?.arrayValue ?? []
        #expect(containers.compactMap { $0["name"]?.stringValue } == ["web", "sidecar"])
        #expect(containers.last?["image"] == "busybox:1.37")
        await plane.stop()
    }

    static let deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers: [{name: web, image: "nginx:1.25"}]
        """

    @Test("a patch that gives a field the wrong type is 422 on the patch, quoting Go's error")
    func patchTypeErrors() async throws {
        let plane = try await EmbeddedPlane.start()
        try await plane.kubectlOK(["create", "-f", "-"], stdin: Self.deployment)
        let merge = try await plane.kubectl(["patch", "deployment", "web", "--type=merge", "-p", #"{"spec":{"replicas":"3"}}"#])
        #expect(merge.status != 0)
        #expect(merge.stderr.contains("The request is invalid: patch: Invalid value:"), "\(merge.stderr)")
        #expect(merge.stderr.contains(
            "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"), "\(merge.stderr)")
        let warned = try await plane.kubectl(["patch", "deployment", "web", "--type=merge", "-p", #"{"spec":{"x":1}}"#])
        #expect(warned.status == 0, "\(warned.stderr)")
        #expect(warned.stderr.contains(#"Warning: unknown field "spec.x""#), "\(warned.stderr)")
        await plane.stop()
    }

    @Test("server-side apply names the first unknown field or wrong kind as structured-merge-diff does")
    func applyConfigurationErrors() async throws {
        let plane = try await EmbeddedPlane.start()
        let unknown = try await plane.kubectl(["apply", "--server-side", "-f", "-"], stdin: """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec: {x: 1, replicas: 2}
            """)
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains(
            "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.x: field not declared in schema"),
            "\(unknown.stderr)")
        let wrongKind = try await plane.kubectl(["apply", "--server-side", "-f", "-"], stdin: """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              template:
                spec:
                  containers: [{name: web, image: 5}]
            """)
        #expect(wrongKind.stderr.contains(
            #".spec.template.spec.containers[name="web"].image: expected string, got &value.valueUnstructured{Value:5}"#),
            "\(wrongKind.stderr)")
        await plane.stop()
    }

    @Test("an unknown fieldValidation value is kube's 422 on the request options")
    func badDirective() async throws {
        let plane = try await EmbeddedPlane.start()
        let body = Array(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"raw"}}"#.utf8)
        let answer = await plane.server.handler.handle(APIRequest(
            method: "POST", path: "/api/v1/namespaces/default/configmaps", query: ["fieldValidation": "Bogus"], body: body))
        guard case .json(let status, let object, _) = answer else {
            Issue.record("expected JSON, got \(answer)")
            return
        }
        #expect(status == 422)
        #expect(object["message"] == #"CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Bogus": supported values: "", "Ignore", "Strict", "Warn""#)
        #expect(object["details"]?["causes"]?[0]?["reason"] == "FieldValueNotSupported")
        await plane.stop()
    }
}
