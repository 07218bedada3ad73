import Foundation
import OrderedCollections
import BuiltinKinds
import Resources
import Testing

/// The defaults kube-apiserver gives the built-in kinds, checked against what the real server
/// shows for the same objects (`kubectl create … && kubectl get -o yaml`).
@Suite("Built-in kinds' defaults")
struct DefaultsTests {
    func defaulted(_ text: String) throws -> Resource {
        var object = try Resource(json(text))
        BuiltinKinds.applyDefaults(&object, kind: object.groupVersionKind)
        return object
    }

    @Test("a Deployment from kubectl create deployment gets kube's spec and pod template defaults")
    func deployment() throws {
        let object = try defaulted("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},
             "spec":{"selector":{"matchLabels":{"app":"web"}},
                     "template":{"metadata":{"labels":{"app":"web"}},
                                 "spec":{"containers":[{"name":"nginx","image":"nginx","ports":[{"containerPort":80}]}]}}}}
            """)
        let expected = try json("""
            {"progressDeadlineSeconds":600,"replicas":1,"revisionHistoryLimit":10,
             "selector":{"matchLabels":{"app":"web"}},
             "strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},
             "template":{"metadata":{"labels":{"app":"web"}},
               "spec":{"containers":[{"image":"nginx","imagePullPolicy":"Always","name":"nginx",
                                      "ports":[{"containerPort":80,"protocol":"TCP"}],"resources":{},
                                      "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],
                       "dnsPolicy":"ClusterFirst","restartPolicy":"Always","schedulerName":"default-scheduler",
                       "securityContext":{},"terminationGracePeriodSeconds":30}}}
            """)
        #expect(object.spec == expected)
    }

    @Test("a Recreate Deployment gets no rolling update parameters, and set values are kept")
    func recreate() throws {
        let object = try defaulted("""
            {"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":0,"strategy":{"type":"Recreate"},
             "revisionHistoryLimit":0,"template":{"spec":{"restartPolicy":"Always","containers":[]}}}}
            """)
        #expect(object.spec?["strategy"] == ["type": "Recreate"])
        #expect(object.spec?["replicas"] == 0)
        #expect(object.spec?["revisionHistoryLimit"] == 0)
    }

    @Test("the pull policy follows the image's tag", arguments: [
        ("nginx", "Always"), ("nginx:latest", "Always"), ("nginx:1.27", "IfNotPresent"),
        ("registry.example.com:5000/team/app", "Always"), ("registry.example.com:5000/team/app:v2", "IfNotPresent"),
        ("nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent"),
    ])
    func pullPolicy(image: String, policy: String) throws {
        var template: JSONObject = ["spec": ["containers": [["name": "c", "image": .string(image)]]]]
        BuiltinKinds.applyPodTemplateDefaults(&template)
        #expect(template["spec"]?["containers"]?[0]?["imagePullPolicy"] == .string(policy))
    }

    @Test("probes, volumes and field references get their defaults")
    func podSpecDetails() throws {
        var spec = try json("""
            {"containers":[{"name":"c","image":"busybox:1","env":[{"name":"N","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],
              "livenessProbe":{"httpGet":{"port":8080}},"readinessProbe":{"tcpSocket":{"port":80},"periodSeconds":5}}],
             "volumes":[{"name":"scratch"},{"name":"config","configMap":{"name":"c"}},{"name":"s","secret":{"secretName":"s"}}]}
            """).objectValue ?? [:]
        BuiltinKinds.applyPodSpecDefaults(&spec)
        let container = JSONValue.object(spec)["containers"]?[0]
        #expect(container?["env"]?[0]?["valueFrom"]?["fieldRef"]?["apiVersion"] == "v1")
        #expect(container?["livenessProbe"] == (try json("""
            {"httpGet":{"port":8080,"path":"/","scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3}
            """)))
        #expect(container?["readinessProbe"]?["periodSeconds"] == 5)
        #expect(spec["volumes"]?[0] == ["name": "scratch", "emptyDir": [:]])
        #expect(spec["volumes"]?[1]?["configMap"]?["defaultMode"] == 420)
        #expect(spec["volumes"]?[2]?["secret"]?["defaultMode"] == 420)
    }

    @Test("a StatefulSet gets its policies, strategy and claim template defaults")
    func statefulSet() throws {
        let object = try defaulted("""
            {"apiVersion":"apps/v1","kind":"StatefulSet","spec":{"serviceName":"db","selector":{"matchLabels":{"app":"db"}},
             "template":{"metadata":{"labels":{"app":"db"}},"spec":{"containers":[{"name":"db","image":"postgres:16"}]}},
             "volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],
               "resources":{"requests":{"storage":"1Gi"}}}}]}}
            """)
        let spec = object.spec
        #expect(spec?["podManagementPolicy"] == "OrderedReady")
        #expect(spec?["updateStrategy"] == ["type": "RollingUpdate", "rollingUpdate": ["partition": 0]])
        #expect(spec?["persistentVolumeClaimRetentionPolicy"] == ["whenDeleted": "Retain", "whenScaled": "Retain"])
        #expect(spec?["replicas"] == 1)
        #expect(spec?["revisionHistoryLimit"] == 10)
        #expect(spec?["template"]?["spec"]?["containers"]?[0]?["imagePullPolicy"] == "IfNotPresent")
        let claim = spec?["volumeClaimTemplates"]?[0]
        #expect(claim?["apiVersion"] == "v1")
        #expect(claim?["kind"] == "PersistentVolumeClaim")
        #expect(claim?["spec"]?["volumeMode"] == "Filesystem")
        #expect(claim?["status"] == ["phase": "Pending"])
    }

    @Test("a Service gets its type, affinity, port protocol and target port, and traffic policies")
    func service() throws {
        let object = try defaulted("""
            {"apiVersion":"v1","kind":"Service","spec":{"selector":{"app":"web"},"ports":[{"port":80},{"name":"b","port":81,"targetPort":"http"}]}}
            """)
        let expected = try json("""
            {"selector":{"app":"web"},"ports":[{"port":80,"protocol":"TCP","targetPort":80},
              {"name":"b","port":81,"targetPort":"http","protocol":"TCP"}],
             "sessionAffinity":"None","type":"ClusterIP","internalTrafficPolicy":"Cluster"}
            """)
        #expect(object.spec == expected)
        let nodePort = try defaulted("""
            {"apiVersion":"v1","kind":"Service","spec":{"type":"LoadBalancer","ports":[{"port":80}]}}
            """)
        #expect(nodePort.spec?["externalTrafficPolicy"] == "Cluster")
        #expect(nodePort.spec?["allocateLoadBalancerNodePorts"] == true)
    }

    @Test("a Secret's stringData is merged into base64 data and removed; the type defaults to Opaque")
    func secret() throws {
        let object = try defaulted("""
            {"apiVersion":"v1","kind":"Secret","data":{"a":"b2xk","keep":"eA=="},"stringData":{"a":"new","b":"hello"}}
            """)
        #expect(object.object["stringData"] == nil)
        #expect(object.object["type"] == "Opaque")
        #expect(object.object["data"] == ["a": "bmV3", "keep": "eA==", "b": "aGVsbG8="])
    }

    @Test("a Namespace is labelled with its name")
    func namespace() throws {
        let object = try defaulted(#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a"}}"#)
        #expect(object.labels["kubernetes.io/metadata.name"] == "team-a")
    }

    @Test("webhooks get their policies, selectors, timeout, rule scope and service port")
    func webhooks() throws {
        let object = try defaulted("""
            {"apiVersion":"admissionregistration.k8s.io/v1","kind":"MutatingWebhookConfiguration","webhooks":[
              {"name":"a.example.com","sideEffects":"None","admissionReviewVersions":["v1"],
               "clientConfig":{"service":{"name":"s","namespace":"n"}},
               "rules":[{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods"]}]}]}
            """)
        let webhook = object.object["webhooks"]?[0]
        #expect(webhook?["failurePolicy"] == "Fail")
        #expect(webhook?["matchPolicy"] == "Equivalent")
        #expect(webhook?["namespaceSelector"] == [:])
        #expect(webhook?["objectSelector"] == [:])
        #expect(webhook?["timeoutSeconds"] == 10)
        #expect(webhook?["reinvocationPolicy"] == "Never")
        #expect(webhook?["rules"]?[0]?["scope"] == "*")
        #expect(webhook?["clientConfig"]?["service"]?["port"] == 443)
    }

    @Test("defaulting twice gives what defaulting once gave, for every kind", arguments: [
        #"{"apiVersion":"apps/v1","kind":"Deployment","spec":{"template":{"spec":{"containers":[{"name":"c","image":"x"}],"volumes":[{"name":"v"}]}}}}"#,
        #"{"apiVersion":"apps/v1","kind":"StatefulSet","spec":{"volumeClaimTemplates":[{"metadata":{"name":"d"}}]}}"#,
        #"{"apiVersion":"v1","kind":"Service","spec":{"type":"NodePort","ports":[{"port":80}]}}"#,
        #"{"apiVersion":"v1","kind":"Secret","stringData":{"a":"b"}}"#,
        #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n"}}"#,
        #"{"apiVersion":"v1","kind":"ConfigMap","data":{"a":"b"}}"#,
    ])
    func idempotent(text: String) throws {
        let once = try defaulted(text)
        var twice = once
        BuiltinKinds.applyDefaults(&twice, kind: twice.groupVersionKind)
        #expect(once == twice)
    }

    @Test("a ConfigMap and kinds that are not built in are left as they are")
    func untouched() throws {
        let configMap = try json(#"{"apiVersion":"v1","kind":"ConfigMap","data":{"a":"b"}}"#)
        #expect(try defaulted(configMap.jsonString()).value == configMap)
        let custom = try json(#"{"apiVersion":"example.com/v1","kind":"Deployment","spec":{}}"#)
        #expect(try defaulted(custom.jsonString()).value == custom)
    }
}
