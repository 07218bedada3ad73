import BuiltinKinds
import Foundation
import Resources
import Testing

@Suite("Typing built-in kinds by their upstream schemas")
struct SchemaTypingTests {
    let graph = BuiltinTypeGraph.shared

    func decode(_ kind: String, group: String = "", _ text: String) throws -> TypedObject {
        let root = try #require(graph.root(of: GroupVersionKind(group: group, version: "v1", kind: kind)))
        return try graph.decode(try json(text), root: root)
    }

    func typeError(_ kind: String, group: String = "", _ text: String) throws -> String? {
        do {
            _ = try decode(kind, group: group, text)
            return nil
        } catch let error as BuiltinTypeError {
            return error.message
        }
    }

    @Test("the schemas load and every served built-in kind has a root")
    func roots() {
        for (group, kind) in [("", "ConfigMap"), ("", "Secret"), ("", "Service"), ("", "Namespace"), ("", "Event"),
                              ("", "ServiceAccount"), ("apps", "Deployment"), ("apps", "StatefulSet"),
                              ("apps", "ControllerRevision"), ("coordination.k8s.io", "Lease"),
                              ("apiextensions.k8s.io", "CustomResourceDefinition")] {
            #expect(graph.root(of: GroupVersionKind(group: group, version: "v1", kind: kind)) != nil, "\(kind)")
        }
        #expect(graph.root(of: GroupVersionKind(group: "core.oam.dev", version: "v1alpha2", kind: "Component")) == nil)
    }

    @Test("a well-typed object passes unchanged")
    func wellTyped() throws {
        let text = #"""
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
             "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                      "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
                      "template": {"metadata": {"labels": {"app": "web"}},
                                   "spec": {"containers": [{"name": "web", "image": "nginx",
                                            "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}},
                                            "ports": [{"containerPort": 80}]}]}}}}
            """#
        let typed = try decode("Deployment", group: "apps", text)
        #expect(typed.value == (try json(text)))
        #expect(typed.unknownFields.isEmpty)
    }

    @Test("unknown fields are dropped and listed with their paths, list indices included")
    func unknownFields() throws {
        let typed = try decode("Deployment", group: "apps", #"""
            {"metadata": {"name": "web"}, "spec": {"x": 1, "template": {"spec": {"containers": [
              {"name": "a", "image": "i"}, {"name": "b", "image": "i", "colour": "red"}]}}, "y": true}}
            """#)
        #expect(typed.unknownFields == ["spec.x", "spec.template.spec.containers[1].colour", "spec.y"])
        #expect(typed.value == (try json(#"""
            {"metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [
              {"name": "a", "image": "i"}, {"name": "b", "image": "i"}]}}}}
            """#)))
    }

    @Test("a value of the wrong type is Go's error naming the struct, the field path and both types")
    func wrongTypes() throws {
        #expect(try typeError("ConfigMap", #"{"data": {"a": 1}}"#)
            == "json: cannot unmarshal number into Go struct field ConfigMap.data of type string")
        #expect(try typeError("Deployment", group: "apps", #"{"spec": {"replicas": "3"}}"#)
            == "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32")
        #expect(try typeError("Deployment", group: "apps", #"{"spec": {"template": {"spec": {"containers": {"name": "a"}}}}}"#)
            == "json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container")
        #expect(try typeError("Deployment", group: "apps", #"{"spec": "big"}"#)
            == "json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec")
        #expect(try typeError("ConfigMap", #"{"metadata": {"labels": ["a"]}}"#)
            == "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string")
    }

    @Test("integer fields reject fractions and values out of range")
    func integers() throws {
        #expect(try typeError("Deployment", group: "apps", #"{"spec": {"replicas": 1.5}}"#)
            == "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32")
        #expect(try typeError("Deployment", group: "apps", #"{"spec": {"replicas": 3000000000}}"#)
            == "json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32")
        #expect(try typeError("Deployment", group: "apps", #"{"spec": {"replicas": 3}}"#) == nil)
    }

    @Test("int-or-string takes both, and nothing else")
    func intOrString() throws {
        let strategy = #"{"spec": {"strategy": {"rollingUpdate": {"maxSurge": %@}}}}"#
        for good in ["1", #""25%""#] {
            #expect(try typeError("Deployment", group: "apps", strategy.replacingOccurrences(of: "%@", with: good)) == nil)
        }
        #expect(try typeError("Deployment", group: "apps", strategy.replacingOccurrences(of: "%@", with: "true"))
            == "json: cannot unmarshal bool into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32")
    }

    @Test("quantities take numbers and valid quantity strings")
    func quantities() throws {
        let limits = #"{"spec": {"template": {"spec": {"containers": [{"name": "a", "resources": {"limits": {"cpu": %@}}}]}}}}"#
        for good in ["1", "0.5", #""500m""#, #""1Gi""#, #""1e3""#, #""+2k""#] {
            #expect(try typeError("Deployment", group: "apps", limits.replacingOccurrences(of: "%@", with: good)) == nil, "\(good)")
        }
        #expect(try typeError("Deployment", group: "apps", limits.replacingOccurrences(of: "%@", with: #""lots""#))
            == "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
        #expect(try typeError("Deployment", group: "apps", limits.replacingOccurrences(of: "%@", with: #""1Qi""#))
            == "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
        #expect(try typeError("Deployment", group: "apps", limits.replacingOccurrences(of: "%@", with: #""1iK""#))
            == "unable to parse quantity's suffix")
    }

    @Test("byte fields take base64 only")
    func bytes() throws {
        #expect(try typeError("Secret", #"{"data": {"a": "aGVsbG8="}}"#) == nil)
        #expect(try typeError("Secret", #"{"data": {"a": "hello!"}}"#) == "illegal base64 data at input byte 5")
        #expect(try typeError("Secret", #"{"data": {"a": "abc"}}"#) == "illegal base64 data at input byte 0")
    }

    @Test("date-time fields take RFC 3339")
    func times() throws {
        #expect(try typeError("ConfigMap", #"{"metadata": {"creationTimestamp": "2024-05-01T10:00:00Z"}}"#) == nil)
        #expect(try typeError("ConfigMap", #"{"metadata": {"creationTimestamp": "yesterday"}}"#)
            == #"parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006""#)
        let typed = try decode("ConfigMap", #"{"metadata": {"creationTimestamp": "2024-05-01T10:00:00.123+02:00"}}"#)
        #expect(typed.value["metadata"]?["creationTimestamp"] == "2024-05-01T08:00:00Z")
        let lease = try graph.root(of: GroupVersionKind(group: "coordination.k8s.io", version: "v1", kind: "Lease"))
        let renewed = try graph.decode(try json(#"{"spec": {"renewTime": "2024-05-01T10:00:00.5Z"}}"#), root: try #require(lease))
        #expect(renewed.value["spec"]?["renewTime"] == "2024-05-01T10:00:00.500000Z")
    }

    @Test("null leaves a field absent, and a map entry its zero value")
    func nulls() throws {
        let typed = try decode("ConfigMap", #"{"metadata": {"name": "a", "creationTimestamp": null, "labels": {"x": null}}, "data": null}"#)
        #expect(typed.value == (try json(#"{"metadata": {"name": "a", "labels": {"x": ""}}}"#)))
    }

    @Test("values of any shape (RawExtension, FieldsV1, JSON) are kept as they are")
    func anyShape() throws {
        let text = #"{"data": {"whatever": [1, {"x": true}]}, "revision": 1}"#
        let typed = try decode("ControllerRevision", group: "apps", text)
        #expect(typed.value == (try json(text)))
        #expect(typed.unknownFields.isEmpty)
    }

    @Test("an apply configuration's first unknown field or wrong kind is named as structured-merge-diff names it")
    func applyConfigurations() throws {
        let root = try #require(graph.root(of: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")))
        func problem(_ text: String) throws -> String? { graph.applyConfigurationProblem(try json(text), root: root) }
        #expect(try problem(#"{"spec": {"x": 1, "y": 2}}"#) == ".spec.x: field not declared in schema")
        #expect(try problem(#"{"spec": {"template": {"spec": {"containers": [{"name": "web", "image": 5}]}}}}"#)
            == #".spec.template.spec.containers[name="web"].image: expected string, got &value.valueUnstructured{Value:5}"#)
        #expect(try problem(#"{"spec": {"template": {"spec": {"containers": {"name": "web"}}}}}"#)
            == ".spec.template.spec.containers: expected list, got &{map[name:web]}")
        #expect(try problem(#"{"spec": {"replicas": "3"}}"#) == ".spec.replicas: expected numeric (int or float), got string")
        #expect(try problem(#"{"spec": {"paused": "yes"}}"#) == ".spec.paused: expected boolean, got &{yes}")
        #expect(try problem(#"{"spec": 5}"#) == ".spec: expected map, got &{5}")
        #expect(try problem(#"{"spec": {"replicas": 2, "strategy": {"rollingUpdate": {"maxSurge": "25%"}}}}"#) == nil)
    }

    @Test("quantities are stored in Go's canonical form", arguments: [
        ("0.5", "500m"), ("1000", "1k"), ("100", "100"), ("2500", "2500"), ("\"1000m\"", "1"), ("\"2.0\"", "2"),
        ("\"1E3\"", "1E3"), ("\"1.5Gi\"", "1536Mi"), ("\"1024Ki\"", "1Mi"), ("\"0.5Mi\"", "512Ki"), ("\"1Mi\"", "1Mi"),
        ("\"0.5Ki\"", "512"), ("\"500m\"", "500m"), ("\"0\"", "0"), ("\"1.0E3\"", "1e3"), ("\"+2k\"", "+2k"), ("\"12e-3\"", "12e-3"),
        ("\"0.1Ki\"", "102400m"), ("\"100000\"", "100k"),
    ])
    func canonicalQuantities(given: String, stored: String) throws {
        let typed = try decode("Deployment", group: "apps",
            #"{"spec": {"template": {"spec": {"containers": [{"name": "a", "resources": {"limits": {"cpu": \#(given)}}}]}}}}"#)
        #expect(typed.value["spec"]?["template"]?["spec"]?["containers"]?[0]?["resources"]?["limits"]?["cpu"] == .string(stored))
    }
}
