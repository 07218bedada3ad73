import Foundation
import OrderedCollections
import BuiltinKinds
import Resources
import Testing

/// Validation of the built-in kinds: the cause types, field paths and messages kube-apiserver
/// reports for the same objects.
@Suite("Built-in kinds' validation")
struct ValidationTests {
    /// The causes of a (defaulted) object, as `field: type` lines and messages.
    func causes(_ text: String, old: String? = nil) throws -> [APIError.Cause] {
        var object = try Resource(json(text))
        BuiltinKinds.applyDefaults(&object, kind: object.groupVersionKind)
        var previous: Resource?
        if let old {
            var stored = try Resource(json(old))
            BuiltinKinds.applyDefaults(&stored, kind: stored.groupVersionKind)
            previous = stored
        }
        return BuiltinKinds.validationCauses(object, old: previous, kind: object.groupVersionKind)
    }

    func summary(_ causes: [APIError.Cause]) -> [String] {
        causes.map { "\($0.field): \($0.type)" }
    }

    static func deployment(selector: String = #"{"matchLabels":{"app":"web"}}"#, labels: String = #"{"app":"web"}"#,
                           containers: String = #"[{"name":"web","image":"nginx"}]"#, replicas: Int = 1) -> String {
        """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},
         "spec":{"replicas":\(replicas),"selector":\(selector),
                 "template":{"metadata":{"labels":\(labels)},"spec":{"containers":\(containers)}}}}
        """
    }

    @Test("a valid Deployment has no causes")
    func validDeployment() throws {
        #expect(try causes(Self.deployment()).isEmpty)
    }

    @Test("Deployment rules", arguments: [
        (deployment(labels: #"{"app":"other"}"#),
         ["spec.template.metadata.labels: FieldValueInvalid"]),
        (deployment(selector: "null"), ["spec.selector: FieldValueRequired", "spec.template.metadata.labels: FieldValueInvalid"]),
        (deployment(selector: "{}"), ["spec.selector: FieldValueInvalid"]),
        (deployment(replicas: -1), ["spec.replicas: FieldValueInvalid"]),
        (deployment(containers: "[]"), ["spec.template.spec.containers: FieldValueRequired"]),
        (deployment(containers: #"[{"name":"a","image":"x"},{"name":"a","image":"y"}]"#),
         ["spec.template.spec.containers[1].name: FieldValueDuplicate"]),
        (deployment(containers: #"[{"name":"Web_1","image":"x"}]"#),
         ["spec.template.spec.containers[0].name: FieldValueInvalid"]),
        (deployment(containers: #"[{"name":"web"}]"#), ["spec.template.spec.containers[0].image: FieldValueRequired"]),
        (deployment(containers: #"[{"name":"web","image":"x","ports":[{"containerPort":70000}]}]"#),
         ["spec.template.spec.containers[0].ports[0].containerPort: FieldValueInvalid"]),
        (deployment(containers: #"[{"name":"web","image":"x","ports":[{"containerPort":80,"protocol":"HTTP"}]}]"#),
         ["spec.template.spec.containers[0].ports[0].protocol: FieldValueNotSupported"]),
        (deployment(containers: #"[{"name":"web","image":"x","volumeMounts":[{"name":"data","mountPath":"/d"}]}]"#),
         ["spec.template.spec.containers[0].volumeMounts[0].name: FieldValueNotFound"]),
    ])
    func deploymentRules(object: String, expected: [String]) throws {
        #expect(summary(try causes(object)) == expected)
    }

    @Test("the selector mismatch message names the labels as kube does")
    func selectorMessage() throws {
        let found = try causes(Self.deployment(labels: #"{"app":"other"}"#))
        #expect(found.first?.message == #"Invalid value: {"app":"other"}: `selector` does not match template `labels`"#)
    }

    @Test("a Deployment's selector may not change")
    func selectorImmutable() throws {
        let found = try causes(
            Self.deployment(selector: #"{"matchLabels":{"app":"web","tier":"x"}}"#, labels: #"{"app":"web","tier":"x"}"#),
            old: Self.deployment())
        #expect(summary(found) == ["spec.selector: FieldValueInvalid"])
        #expect(found.first?.message.hasSuffix("field is immutable") == true)
    }

    @Test("a StatefulSet may change only its replicas, template, strategies and a few more")
    func statefulSetUpdate() throws {
        let base = """
            {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"db"},"spec":{"serviceName":"%@","replicas":%@,
             "selector":{"matchLabels":{"app":"db"}},"template":{"metadata":{"labels":{"app":"db"}},
             "spec":{"containers":[{"name":"db","image":"postgres"}]}}}}
            """
        func set(_ service: String, _ replicas: String) -> String {
            base.replacingOccurrences(of: "serviceName\":\"%@\",\"replicas\":%@", with: "serviceName\":\"\(service)\",\"replicas\":\(replicas)")
        }
        #expect(try causes(set("db", "1")).isEmpty)
        #expect(try causes(set("db", "3"), old: set("db", "1")).isEmpty)
        #expect(summary(try causes(set("other", "1"), old: set("db", "1"))) == ["spec: FieldValueForbidden"])
    }

    static func service(_ spec: String) -> String {
        #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":\#(spec)}"#
    }

    @Test("Service rules", arguments: [
        (service(#"{"ports":[{"port":80}]}"#), [String]()),
        // The target port defaults to the port, and is as wrong.
        (service(#"{"ports":[{"port":0}]}"#), ["spec.ports[0].port: FieldValueInvalid", "spec.ports[0].targetPort: FieldValueInvalid"]),
        (service(#"{"ports":[{"port":70000}]}"#), ["spec.ports[0].port: FieldValueInvalid", "spec.ports[0].targetPort: FieldValueInvalid"]),
        (service(#"{}"#), ["spec.ports: FieldValueRequired"]),
        (service(#"{"clusterIP":"None"}"#), []),
        (service(#"{"ports":[{"port":80},{"port":81}]}"#), ["spec.ports[0].name: FieldValueRequired", "spec.ports[1].name: FieldValueRequired"]),
        (service(#"{"ports":[{"name":"a","port":80},{"name":"a","port":81}]}"#), ["spec.ports[1].name: FieldValueDuplicate"]),
        (service(#"{"ports":[{"port":80,"targetPort":0}]}"#), []),
        (service(#"{"ports":[{"port":80,"targetPort":"Not_A_Name"}]}"#), ["spec.ports[0].targetPort: FieldValueInvalid"]),
        (service(#"{"type":"Magic","ports":[{"port":80}]}"#), ["spec.type: FieldValueNotSupported"]),
        (service(#"{"type":"ExternalName"}"#), ["spec.externalName: FieldValueRequired"]),
        (service(#"{"ports":[{"port":80,"nodePort":30001}]}"#), ["spec.ports[0].nodePort: FieldValueForbidden"]),
        (service(#"{"clusterIP":"10.96.0.300","ports":[{"port":80}]}"#), ["spec.clusterIPs[0]: FieldValueInvalid"]),
    ])
    func serviceRules(object: String, expected: [String]) throws {
        #expect(summary(try causes(object)) == expected)
    }

    @Test("a Service's cluster IP may not change once set")
    func clusterIPImmutable() throws {
        let old = Self.service(#"{"clusterIP":"10.96.0.10","clusterIPs":["10.96.0.10"],"ports":[{"port":80}]}"#)
        let new = Self.service(#"{"clusterIP":"10.96.0.11","clusterIPs":["10.96.0.11"],"ports":[{"port":80}]}"#)
        let found = try causes(new, old: old)
        #expect(summary(found) == ["spec.clusterIPs[0]: FieldValueInvalid"])
        #expect(found.first?.message == #"Invalid value: ["10.96.0.11"]: may not change once set"#)
    }

    static func secret(type: String, data: String) -> String {
        #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"type":"\#(type)","data":\#(data)}"#
    }

    @Test("Secret rules", arguments: [
        (secret(type: "Opaque", data: #"{"a.b_C-1":"eA=="}"#), [String]()),
        (secret(type: "Opaque", data: #"{"a/b":"eA=="}"#), ["data[a/b]: FieldValueInvalid"]),
        (secret(type: "kubernetes.io/tls", data: "{}"), ["data[tls.crt]: FieldValueRequired", "data[tls.key]: FieldValueRequired"]),
        (secret(type: "kubernetes.io/tls", data: #"{"tls.crt":"","tls.key":""}"#), []),
        (secret(type: "kubernetes.io/dockerconfigjson", data: "{}"), ["data[.dockerconfigjson]: FieldValueRequired"]),
    ])
    func secretRules(object: String, expected: [String]) throws {
        #expect(summary(try causes(object)) == expected)
    }

    @Test("a Secret's type may not change")
    func secretType() throws {
        let found = try causes(Self.secret(type: "Opaque", data: "{}"), old: Self.secret(type: "example.com/x", data: "{}"))
        #expect(summary(found) == ["type: FieldValueInvalid"])
    }

    @Test("an immutable ConfigMap refuses data changes and becoming mutable again")
    func immutableConfigMap() throws {
        let old = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"immutable":true,"data":{"a":"1"}}"#
        let changed = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"immutable":true,"data":{"a":"2"}}"#
        let unset = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}}"#
        let relabelled = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"x":"y"}},"immutable":true,"data":{"a":"1"}}"#
        #expect(summary(try causes(changed, old: old)) == ["data: FieldValueForbidden"])
        #expect(summary(try causes(unset, old: old)) == ["immutable: FieldValueForbidden"])
        #expect(try causes(relabelled, old: old).isEmpty)
        #expect(try causes(changed, old: unset).isEmpty)
    }

    @Test("other kinds' rules", arguments: [
        (#"{"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{"name":"r"},"revision":-1,"data":{}}"#,
         ["revision: FieldValueInvalid"]),
        (#"{"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{"name":"r"},"revision":1}"#,
         ["data: FieldValueRequired"]),
        (#"{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"l"},"spec":{"leaseDurationSeconds":0}}"#,
         ["spec.leaseDurationSeconds: FieldValueInvalid"]),
        (#"{"apiVersion":"v1","kind":"Event","metadata":{"name":"e","namespace":"a"},"involvedObject":{"namespace":"b"}}"#,
         ["involvedObject.namespace: FieldValueInvalid"]),
        (#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n"},"spec":{"finalizers":["bad"]}}"#,
         ["spec.finalizers[0]: FieldValueInvalid"]),
    ])
    func otherRules(object: String, expected: [String]) throws {
        #expect(summary(try causes(object)) == expected)
    }

    @Test("webhook configurations need qualified unique names, side effects, versions and one client")
    func webhooks() throws {
        let found = try causes("""
            {"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingWebhookConfiguration","metadata":{"name":"w"},
             "webhooks":[{"name":"a.example.com","sideEffects":"None","admissionReviewVersions":["v1"],
                          "clientConfig":{"url":"https://hook.example.com/x"}},
                         {"name":"a.example.com","clientConfig":{},"admissionReviewVersions":[]},
                         {"name":"short","sideEffects":"Some","admissionReviewVersions":["v1"],
                          "clientConfig":{"url":"http://hook.example.com"},"timeoutSeconds":31}]}
            """)
        #expect(summary(found) == [
            "webhooks[1].name: FieldValueDuplicate",
            "webhooks[1].sideEffects: FieldValueRequired",
            "webhooks[1].admissionReviewVersions: FieldValueRequired",
            "webhooks[1].clientConfig: FieldValueRequired",
            "webhooks[2].name: FieldValueInvalid",
            "webhooks[2].sideEffects: FieldValueNotSupported",
            "webhooks[2].timeoutSeconds: FieldValueInvalid",
            "webhooks[2].clientConfig.url: FieldValueInvalid",
        ])
    }
}
