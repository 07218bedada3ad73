import APIServer
import Foundation
import OAM
import OrderedCollections
import Resources
import TestSupport
import Testing

/// Smaller places where the embedded plane answered kubectl unlike kube-apiserver (issue 10 §2):
/// custom resources' patch types, their scale, field selectors per kind, and server-side apply
/// taking over from client-side apply.
@Suite("Fidelity gaps: patch types, scale, field selectors, apply migration", .enabled(if: Kubectl.isInstalled))
struct FidelityGapsTests {
    static let gadgetCRD = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: gadgets.example.com
        spec:
          group: example.com
          scope: Namespaced
          names: {plural: gadgets, singular: gadget, kind: Gadget}
          versions:
            - name: v1
              served: true
              storage: true
              selectableFields:
                - jsonPath: .spec.colour
              subresources:
                status: {}
                scale:
                  specReplicasPath: .spec.size
                  statusReplicasPath: .status.ready
                  labelSelectorPath: .status.selector
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec:
                      type: object
                      properties:
                        size: {type: integer}
                        colour: {type: string}
                    status:
                      type: object
                      properties:
                        ready: {type: integer}
                        selector: {type: string}
        """

    static func gadget(_ name: String, size: Int, colour: String) -> String {
        """
        apiVersion: example.com/v1
        kind: Gadget
        metadata: {name: \(name)}
        spec: {size: \(size), colour: \(colour)}
        """
    }

    /// Runs `body` against a fresh plane (with the Gadget CRD established when `gadgets`), and
    /// stops the plane whatever happens.
    static func withPlane(gadgets: Bool, _ body: (EmbeddedPlane) async throws -> Void) async throws {
        let plane = try await EmbeddedPlane.start()
        do {
            if gadgets {
                try await plane.kubectlOK(["apply", "-f", "-"], stdin: gadgetCRD)
                try await plane.kubectlOK(["wait", "--for=condition=Established", "crd/gadgets.example.com", "--timeout=20s"])
            }
            try await body(plane)
        } catch {
            await plane.stop()
            throw error
        }
        await plane.stop()
    }

    // MARK: custom resources' patch types

    @Test("client-side apply of an existing custom object patches it (a merge patch, not a strategic one)")
    func clientSideApplyOfCustomObject() async throws {
        try await Self.withPlane(gadgets: true) { plane in
            try await plane.kubectlOK(["apply", "-f", "-"], stdin: Self.gadget("g1", size: 1, colour: "red"))
            let second = try await plane.kubectlOK(["apply", "-f", "-"], stdin: Self.gadget("g1", size: 1, colour: "blue"))
            #expect(second.contains("gadget.example.com/g1 configured"))
            #expect(try await plane.kubectlOK(["get", "gadget", "g1", "-o", "jsonpath={.spec.colour}"]) == "blue")

            let document = try JSONValue(parsingJSON: try await plane.kubectlOK(["get", "--raw", "/openapi/v3/apis/example.com/v1"]))
            let patch = document["paths"]?["/apis/example.com/v1/namespaces/{namespace}/gadgets/{name}"]?["patch"]
            let types = (patch?["requestBody"]?["content"]?.objectValue?.keys).map { Array($0).sorted() }
            #expect(types == ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json"])
        }
    }

    @Test("a strategic merge patch of a custom object is a 415 listing the patch types custom resources take")
    func strategicPatchOfCustomObject() async throws {
        try await Self.withPlane(gadgets: true) { plane in
            try await plane.kubectlOK(["apply", "-f", "-"], stdin: Self.gadget("g1", size: 1, colour: "red"))
            // The object, its status and its scale alike.
            for (path, patch) in [
                ("", #"{"spec":{"size":2}}"#), ("/status", #"{"status":{"ready":2}}"#),
                ("/scale", #"{"spec":{"replicas":2}}"#),
            ] {
                let response = await plane.server.handler.handle(APIRequest(
                    method: "PATCH", path: "/apis/example.com/v1/namespaces/default/gadgets/g1\(path)",
                    contentType: "application/strategic-merge-patch+json", body: Array(patch.utf8)))
                guard case .json(let status, let body, _) = response else {
                    Issue.record("not a JSON answer")
                    return
                }
                #expect(status == 415, "\(path)")
                #expect(body["reason"] == "UnsupportedMediaType")
                #expect(body["message"]?.stringValue
                    == "the body of the request was in an unknown format - accepted media types include: "
                    + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
            }
        }
    }

    @Test("kubectl apply of the OAM definitions the plane seeds succeeds, twice")
    func applySeededDefinitions() async throws {
        try await Self.withPlane(gadgets: false) { plane in
            let documents = BuiltinDefinitions.all.map { $0.value.yamlString() }.joined(separator: "\n---\n")
            let first = try await plane.kubectl(["apply", "-f", "-"], stdin: documents)
            #expect(first.status == 0, "\(first.stderr)\n\(first.stdout)")
            let second = try await plane.kubectl(["apply", "-f", "-"], stdin: documents)
            #expect(second.status == 0, "\(second.stderr)")
            #expect(second.stdout.contains("unchanged"))
        }
    }

    // MARK: scale

    @Test("the scale of a custom resource follows its CRD's replicas and selector paths")
    func customResourceScale() async throws {
        try await Self.withPlane(gadgets: true) { plane in
            try await plane.kubectlOK(["apply", "-f", "-"], stdin: Self.gadget("g1", size: 1, colour: "red"))
            let before = try JSONValue(parsingJSON: try await plane.kubectlOK([
                "get", "--raw", "/apis/example.com/v1/namespaces/default/gadgets/g1/scale",
            ]))
            #expect(before["status"] == ["replicas": 0])   // an empty selector is left out
            try await plane.kubectlOK([
                "patch", "gadget", "g1", "--subresource=status", "--type=merge",
                "-p", #"{"status":{"ready":1,"selector":"app=g1,tier in (a,b)"}}"#,
            ])
            try await plane.kubectlOK(["scale", "gadget", "g1", "--replicas=3"])
            #expect(try await plane.kubectlOK(["get", "gadget", "g1", "-o", "jsonpath={.spec.size}"]) == "3")
            let scale = try JSONValue(parsingJSON: try await plane.kubectlOK([
                "get", "--raw", "/apis/example.com/v1/namespaces/default/gadgets/g1/scale",
            ]))
            #expect(scale["spec"]?["replicas"] == 3)
            #expect(scale["status"]?["replicas"] == 1)
            #expect(scale["status"]?["selector"] == "app=g1,tier in (a,b)")
        }
    }

    @Test("a custom object without its spec replicas has no scale: kube's 500")
    func customResourceScaleWithoutReplicas() async throws {
        try await Self.withPlane(gadgets: true) { plane in
            try await plane.kubectlOK(["apply", "-f", "-"], stdin: "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g0}\n")
            let result = try await plane.kubectl(["get", "--raw", "/apis/example.com/v1/namespaces/default/gadgets/g0/scale"])
            #expect(result.status != 0)
            #expect(result.stderr.contains(#"the spec replicas field \".spec.size\" does not exist"#)
                || result.stderr.contains(#"the spec replicas field ".spec.size" does not exist"#), "\(result.stderr)")
        }
    }

    @Test("a CRD's scale paths are checked as kube checks them")
    func crdScalePathsValidated() async throws {
        try await Self.withPlane(gadgets: false) { plane in
            let bad = Self.gadgetCRD
                .replacingOccurrences(of: "specReplicasPath: .spec.size", with: "specReplicasPath: .foo")
                .replacingOccurrences(of: "\n          statusReplicasPath: .status.ready", with: "")
                .replacingOccurrences(of: "labelSelectorPath: .status.selector", with: "labelSelectorPath: metadata")
            let result = try await plane.kubectl(["apply", "-f", "-"], stdin: bad)
            #expect(result.status == 1)
            for line in [
                #"spec.subresources.scale.specReplicasPath: Invalid value: ".foo": should be a json path under .spec"#,
                "spec.subresources.scale.statusReplicasPath: Required value",
                #"spec.subresources.scale.labelSelectorPath: Invalid value: "metadata": must be a simple json path starting with ."#,
            ] {
                #expect(result.stderr.contains(line), "\(line) missing in \(result.stderr)")
            }
        }
    }

    @Test("a CRD's selectable fields are checked as kube checks them")
    func crdSelectableFieldsValidated() async throws {
        try await Self.withPlane(gadgets: false) { plane in
            let bad = Self.gadgetCRD.replacingOccurrences(
                of: "- jsonPath: .spec.colour",
                with: "- jsonPath: .spec.nope\n        - jsonPath: .spec\n        - jsonPath: .spec.size\n"
                    + "        - jsonPath: .spec.size\n        - jsonPath: \"\"\n        - jsonPath: spec.size")
            let result = try await plane.kubectl(["apply", "-f", "-"], stdin: bad)
            #expect(result.status == 1)
            for line in [
                #"spec.selectableFields[0].jsonPath: Invalid value: ".spec.nope": is an invalid path: does not refer to a valid field"#,
                #"spec.selectableFields[1].jsonPath: Invalid value: ".spec": must point to a field of type string, boolean or integer."#,
                #"spec.selectableFields[3].jsonPath: Duplicate value: ".spec.size""#,
                "spec.selectableFields[4].jsonPath: Required value",
                #"spec.selectableFields[5].jsonPath: Invalid value: "spec.size": is an invalid path: expected [ or . but got: spec"#,
            ] {
                #expect(result.stderr.contains(line), "\(line) missing in \(result.stderr)")
            }
        }
    }

    @Test("a Deployment's scale gives its selector as a selector string")
    func deploymentScaleSelector() async throws {
        try await Self.withPlane(gadgets: false) { plane in
            try await plane.kubectlOK(["apply", "-f", "-"], stdin: """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  replicas: 1
                  selector:
                    matchLabels: {tier: front, app: web}
                    matchExpressions: [{key: track, operator: In, values: [stable, canary]}]
                  template:
                    metadata: {labels: {app: web, tier: front, track: stable}}
                    spec: {containers: [{name: web, image: nginx}]}
                """)
            try await plane.kubectlOK(["scale", "deployment", "web", "--replicas=2"])
            let scale = try JSONValue(parsingJSON: try await plane.kubectlOK([
                "get", "--raw", "/apis/apps/v1/namespaces/default/deployments/web/scale",
            ]))
            #expect(scale["spec"]?["replicas"] == 2)
            #expect(scale["status"]?["selector"] == "app=web,tier=front,track in (canary,stable)")
        }
    }

    // MARK: field selectors

    @Test("field selectors on the fields each kind supports, and kube's refusal of the others")
    func fieldSelectors() async throws {
        try await Self.withPlane(gadgets: true) { plane in
            try await plane.kubectlOK(["create", "secret", "generic", "plain", "--from-literal=a=b"])
            try await plane.kubectlOK(["apply", "-f", "-"], stdin: """
                apiVersion: v1
                kind: Secret
                metadata: {name: token}
                type: example.com/token
                stringData: {t: x}
                """)
            #expect(try await plane.kubectlOK(["get", "secrets", "--field-selector", "type=Opaque", "-o", "name"])
                == "secret/plain\n")
            #expect(try await plane.kubectlOK(["get", "secrets", "--field-selector", "type!=Opaque", "-o", "name"])
                == "secret/token\n")
            #expect(try await plane.kubectlOK(["get", "secrets", "--field-selector", "type==example.com/token,metadata.name=token", "-o", "name"])
                == "secret/token\n")
            let refused = try await plane.kubectl(["get", "secrets", "--field-selector", "foo=bar"])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("field label not supported: foo"), "\(refused.stderr)")
            let malformed = try await plane.kubectl(["get", "--raw", "/api/v1/secrets?fieldSelector=a%3Db,foo"])
            #expect(malformed.stderr.contains("invalid selector: 'a=b,foo'; can't understand 'foo'"), "\(malformed.stderr)")
            let configMaps = try await plane.kubectl(["get", "configmaps", "--field-selector", "data.a=b"])
            #expect(configMaps.stderr.contains(#""data.a" is not a known field selector: only "metadata.name", "metadata.namespace""#),
                    "\(configMaps.stderr)")

            try await plane.kubectlOK(["apply", "-f", "-"], stdin: """
                apiVersion: v1
                kind: Event
                metadata: {name: web.1}
                involvedObject: {kind: Deployment, name: web, namespace: default}
                reason: ScalingReplicaSet
                type: Normal
                message: scaled
                source: {component: deployment-controller}
                """)
            #expect(try await plane.kubectlOK([
                "get", "events", "--field-selector", "reason=ScalingReplicaSet,involvedObject.kind=Deployment,source=deployment-controller",
                "-o", "name",
            ]) == "event/web.1\n")
            #expect(try await plane.kubectlOK(["get", "events", "--field-selector", "reason=X", "-o", "name"]) == "")
            #expect(try await plane.kubectlOK(["get", "namespaces", "--field-selector", "status.phase=Active,metadata.name=default", "-o", "name"])
                == "namespace/default\n")

            try await plane.kubectlOK(["apply", "-f", "-"], stdin: Self.gadget("red-one", size: 1, colour: "red"))
            try await plane.kubectlOK(["apply", "-f", "-"], stdin: Self.gadget("blue-one", size: 1, colour: "blue"))
            #expect(try await plane.kubectlOK(["get", "gadgets", "--field-selector", "spec.colour=blue", "-o", "name"])
                == "gadget.example.com/blue-one\n")
            let unselectable = try await plane.kubectl(["get", "gadgets", "--field-selector", "spec.size=1"])
            #expect(unselectable.stderr.contains("field label not supported: spec.size"), "\(unselectable.stderr)")
        }
    }

    // MARK: client-side → server-side apply

    static func settings(_ mode: String) -> String {
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        data: {mode: \(mode)}
        """
    }

    @Test("server-side apply after client-side apply takes over kubectl-client-side-apply's fields")
    func serverSideAfterClientSide() async throws {
        try await Self.withPlane(gadgets: false) { plane in
            try await plane.kubectlOK(["apply", "-f", "-"], stdin: Self.settings("a"))
            let diff = try await plane.kubectl(["diff", "--server-side", "-f", "-"], stdin: Self.settings("b"))
            #expect(diff.status == 1, "\(diff.stderr)")
            #expect(diff.stdout.contains("+  mode: b"))
            let applied = try await plane.kubectl(["apply", "--server-side", "-f", "-"], stdin: Self.settings("b"))
            #expect(applied.status == 0, "\(applied.stderr)")
            #expect(try await plane.kubectlOK(["get", "configmap", "settings", "-o", "jsonpath={.data.mode}"]) == "b")
            let managers = try await plane.kubectlOK([
                "get", "configmap", "settings", "--show-managed-fields",
                "-o", #"jsonpath={range .metadata.managedFields[*]}{.manager} {.operation};{end}"#,
            ])
            // As kube-apiserver leaves them: the annotation is kubectl-last-applied's (no time), the
            // data kubectl's; kubectl-client-side-apply is gone.
            let raw = try await plane.kubectlOK(["get", "configmap", "settings", "--show-managed-fields", "-o", "json"])
            #expect(managers == "kubectl-last-applied Apply;kubectl Apply;", "\(raw)")
            // Client-side apply after the migration keeps working on the same fields.
            let again = try await plane.kubectl(["apply", "--server-side", "-f", "-"], stdin: Self.settings("c"))
            #expect(again.status == 0, "\(again.stderr)")
        }
    }
}
