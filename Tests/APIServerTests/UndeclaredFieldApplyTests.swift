import APIServer
import Foundation
import Resources
import TestSupport
import Testing

/// Server-side apply of a field the kind's schema does not declare, answered as kube-apiserver
/// v1.36 answers it (checked on the kit): a 500 without a reason, `failed to create typed patch
/// object (<ns>/<name>; <apiVersion>, Kind=<kind>): <path>: field not declared in schema`, the
/// namespace and name taken from the configuration, whatever `fieldValidation` says.
@Suite("Server-side apply of undeclared fields")
struct UndeclaredFieldApplyTests {
    static let crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: bars.prune.example.com}
        spec:
          group: prune.example.com
          names: {kind: Bar, plural: bars, singular: bar, listKind: BarList}
          scope: Namespaced
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
                    properties:
                      replicas: {type: integer}
                      port: {x-kubernetes-int-or-string: true}
                      free: {type: object, x-kubernetes-preserve-unknown-fields: true}
                      labels: {type: object, additionalProperties: {type: string}}
                      items:
                        type: array
                        items: {type: object, properties: {name: {type: string}}}
                      embedded:
                        type: object
                        x-kubernetes-embedded-resource: true
                        properties:
                          spec: {type: object, properties: {a: {type: string}}}
        """

    static func bar(_ spec: String, metadata: String = "{name: b1, namespace: default}") -> String {
        "apiVersion: prune.example.com/v1\nkind: Bar\nmetadata: \(metadata)\nspec: \(spec)\n"
    }

    /// A raw apply of `body` (YAML) to `path`, with `fieldManager=test` and `query`.
    static func apply(_ plane: EmbeddedPlane, _ path: String, _ body: String, query: [String: String] = [:])
        async -> (code: Int, status: JSONValue?)
    {
        let answer = await plane.server.handler.handle(APIRequest(
            method: "PATCH", path: path, query: ["fieldManager": "test"].merging(query) { $1 },
            contentType: "application/apply-patch+yaml", body: Array(body.utf8)))
        guard case .json(let code, let status, _) = answer else { return (0, nil) }
        return (code, status)
    }

    @Test("kubectl apply --server-side of a custom resource with an undeclared field fails as on kube-apiserver")
    func kubectlCustomResource() async throws {
        let plane = try await EmbeddedPlane.start(oam: false)
        try await plane.kubectlOK(["apply", "-f", "-"], stdin: Self.crd)
        try await plane.kubectlOK(["wait", "--for=condition=Established", "crd/bars.prune.example.com"])
        let refused = try await plane.kubectl(["apply", "--server-side", "-f", "-"], stdin: Self.bar("{replicas: 1, foo: x}"))
        #expect(refused.status != 0)
        #expect(refused.stderr.contains(
            "Error from server: failed to create typed patch object (default/b1; prune.example.com/v1, Kind=Bar): "
                + ".spec.foo: field not declared in schema"), "\(refused.stderr)")
        // What the schema declares, preserves or types loosely goes through.
        try await plane.kubectlOK(["apply", "--server-side", "-f", "-"], stdin: Self.bar("""
            {replicas: 1, port: http, free: {any: {thing: 1}}, labels: {a: b}, items: [{name: a}],
             embedded: {apiVersion: v1, kind: X, metadata: {name: e, labels: {a: b}}, spec: {a: s}}}
            """))
        await plane.stop()
    }

    @Test("the 500 names the configuration's namespace and name, and the path wherever it is", arguments: [
        ("{replicas: 1}\ntop: 1", "{name: b2}", "(/b2; prune.example.com/v1, Kind=Bar): .top: field not declared in schema"),
        ("{items: [{name: a, extra: 1}]}", "{name: b2, namespace: default}",
         "(default/b2; prune.example.com/v1, Kind=Bar): .spec.items[0].extra: field not declared in schema"),
        ("{}", "{name: b2, bogus: 1}", "(/b2; prune.example.com/v1, Kind=Bar): .metadata.bogus: field not declared in schema"),
        ("{embedded: {apiVersion: v1, kind: X, metadata: {name: e, bogus: 1}}}", "{name: b2}",
         "(/b2; prune.example.com/v1, Kind=Bar): .spec.embedded.metadata.bogus: field not declared in schema"),
        ("{embedded: {apiVersion: v1, kind: X, spec: {b: 1}}}", "{name: b2}",
         "(/b2; prune.example.com/v1, Kind=Bar): .spec.embedded.spec.b: field not declared in schema"),
        ("{replicas: x}", "{name: b2}", "(/b2; prune.example.com/v1, Kind=Bar): .spec.replicas: expected numeric (int or float), got string"),
        ("{labels: {a: 1}}", "{name: b2}",
         "(/b2; prune.example.com/v1, Kind=Bar): .spec.labels.a: expected string, got &value.valueUnstructured{Value:1}"),
    ])
    func rawCustomResource(_ spec: String, _ metadata: String, _ expected: String) async throws {
        let plane = try await EmbeddedPlane.start(oam: false)
        try await plane.kubectlOK(["apply", "-f", "-"], stdin: Self.crd)
        try await plane.kubectlOK(["wait", "--for=condition=Established", "crd/bars.prune.example.com"])
        for validation in ["Strict", "Warn", "Ignore"] {
            let answer = await Self.apply(plane, "/apis/prune.example.com/v1/namespaces/default/bars/b2",
                                          Self.bar(spec, metadata: metadata), query: ["fieldValidation": validation])
            #expect(answer.code == 500)
            #expect(answer.status == [
                "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                "message": .string("failed to create typed patch object " + expected), "code": 500,
            ])
        }
        await plane.stop()
    }

    @Test("a create drops what the schema does not declare, the metadata's and the embedded resources' unknown fields too, with kube's warnings")
    func createPrunesMetadata() async throws {
        let plane = try await EmbeddedPlane.start(oam: false)
        try await plane.kubectlOK(["apply", "-f", "-"], stdin: Self.crd)
        try await plane.kubectlOK(["wait", "--for=condition=Established", "crd/bars.prune.example.com"])
        let created = try await plane.kubectl(["create", "--validate=warn", "-f", "-"], stdin: Self.bar(
            "{replicas: 1, foo: x, embedded: {apiVersion: v1, kind: X, metadata: {name: e, uid: u, bogus: 1}, spec: {a: s, b: t}}}",
            metadata: "{name: b3, namespace: default, bogus: 1}"))
        #expect(created.status == 0, "\(created.stderr)")
        // kube-apiserver's order: the object's metadata, the structural schema's (sorted), embedded metadata.
        let warnings = created.stderr.split(separator: "\n").filter { $0.hasPrefix("Warning:") }
        #expect(warnings == [
            #"Warning: unknown field "metadata.bogus""#, #"Warning: unknown field "spec.embedded.spec.b""#,
            #"Warning: unknown field "spec.foo""#, #"Warning: unknown field "spec.embedded.metadata.bogus""#,
        ])
        let stored = try await plane.kubectlOK(["get", "bar", "b3", "-o", "json"])
        let object = try JSONValue(parsingJSON: Array(stored.utf8))
        #expect(object["metadata"]?["bogus"] == nil)
        #expect(object["spec"] == [
            "replicas": 1,
            "embedded": ["apiVersion": "v1", "kind": "X", "metadata": ["name": "e", "uid": "u"], "spec": ["a": "s"]],
        ])
        await plane.stop()
    }

    @Test("a built-in kind's undeclared field is named with the configuration's namespace and name")
    func builtinKind() async throws {
        let plane = try await EmbeddedPlane.start(oam: false)
        let answer = await Self.apply(plane, "/apis/apps/v1/namespaces/default/deployments/d1", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: d1}
            spec: {foo: 1, selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}}
            """)
        #expect(answer.code == 500)
        #expect(answer.status?["message"] == "failed to create typed patch object (/d1; apps/v1, Kind=Deployment): .spec.foo: field not declared in schema")
        #expect(answer.status?["reason"] == nil)
        await plane.stop()
    }
}
