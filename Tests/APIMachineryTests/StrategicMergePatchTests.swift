import APIMachinery
import Resources
import Testing

@Suite("Strategic merge patch")
struct StrategicMergePatchTests {
    let deployment = PatchSchema.builtin(group: "apps", kind: "Deployment")!

    /// The live Deployment after `kubectl apply` of two containers, with the server's defaults.
    func liveDeployment() throws -> JSONValue {
        try json(
            """
            {"apiVersion":"apps/v1","kind":"Deployment",
             "metadata":{"name":"web","namespace":"default","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"},
               "finalizers":["a","b"]},
             "spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},
               "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
               "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[
                 {"name":"web","image":"nginx:1.25","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
                  "imagePullPolicy":"IfNotPresent","terminationMessagePath":"/dev/termination-log"},
                 {"name":"sidecar","image":"busybox:1.36","imagePullPolicy":"IfNotPresent"}],
                 "restartPolicy":"Always"}}}}
            """)
    }

    @Test("kubectl apply's patch adds a container, removes one and changes an env var, keeping server defaults")
    func kubectlReapply() throws {
        // What kubectl 1.32's three-way merge sends when the last applied configuration had
        // containers [web (env A=1, B=2), sidecar] and the new one has [web (env A=1, B=3), logger]:
        // changes and additions from the live object, deletions from the last applied
        // configuration, and the order of the new configuration.
        let patch = try json(
            """
            {"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"new\\":true}"}},
             "spec":{"template":{"spec":{
               "$setElementOrder/containers":[{"name":"web"},{"name":"logger"}],
               "containers":[
                 {"$setElementOrder/env":[{"name":"A"},{"name":"B"}],"env":[{"name":"B","value":"3"}],"name":"web"},
                 {"image":"fluent/fluent-bit:3","name":"logger"},
                 {"$patch":"delete","name":"sidecar"}]}}}}
            """)
        let patched = try StrategicMergePatch.apply(patch, to: try liveDeployment(), schema: deployment)
        let containers = try #require(patched["spec"]?["template"]?["spec"]?["containers"])
        #expect(
            containers == (try json(
                """
                [{"name":"web","image":"nginx:1.25","env":[{"name":"A","value":"1"},{"name":"B","value":"3"}],
                  "imagePullPolicy":"IfNotPresent","terminationMessagePath":"/dev/termination-log"},
                 {"image":"fluent/fluent-bit:3","name":"logger"}]
                """)))
        #expect(patched["metadata"]?["annotations"]?["kubectl.kubernetes.io/last-applied-configuration"] == #"{"new":true}"#)
        #expect(patched["spec"]?["replicas"] == 1)
        #expect(!patched.jsonString().contains("$"))
    }

    @Test("$setElementOrder puts merged elements in the patch's order, server-only ones near their neighbours")
    func setElementOrder() throws {
        let patch = try json(
            """
            {"spec":{"template":{"spec":{
               "$setElementOrder/containers":[{"name":"logger"},{"name":"web"}],
               "containers":[{"image":"fluent/fluent-bit:3","name":"logger"}]}}}}
            """)
        let patched = try StrategicMergePatch.apply(patch, to: try liveDeployment(), schema: deployment)
        let names = patched["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(names == ["logger", "web", "sidecar"])
    }

    @Test("$retainKeys drops the strategy members the new configuration does not name")
    func retainKeys() throws {
        let patch = try json(#"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}"#)
        let patched = try StrategicMergePatch.apply(patch, to: try liveDeployment(), schema: deployment)
        #expect(patched["spec"]?["strategy"] == ["type": "Recreate"])
    }

    @Test("$retainKeys must name every member the patch sets")
    func retainKeysMismatch() throws {
        let patch = try json(#"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":{}}}}"#)
        let error = #expect(throws: APIError.self) {
            try StrategicMergePatch.apply(patch, to: try liveDeployment(), schema: deployment)
        }
        #expect(error?.code == 400)
        #expect(error?.message == "invalid patch format of retainKeys")
    }

    @Test("finalizers merge as a set, with $deleteFromPrimitiveList and $setElementOrder")
    func primitiveList() throws {
        let patch = try json(
            #"{"metadata":{"$deleteFromPrimitiveList/finalizers":["b"],"$setElementOrder/finalizers":["a","c"],"finalizers":["c"]}}"#)
        let patched = try StrategicMergePatch.apply(patch, to: try liveDeployment(), schema: deployment)
        #expect(patched["metadata"]?["finalizers"] == ["a", "c"])
    }

    @Test("null deletes a member; lists without a merge strategy are replaced")
    func nullAndReplace() throws {
        let patch = try json(
            #"{"spec":{"replicas":null,"template":{"spec":{"containers":[{"name":"web","args":["-v"]}],"restartPolicy":null}}}}"#)
        let patched = try StrategicMergePatch.apply(patch, to: try liveDeployment(), schema: deployment)
        #expect(patched["spec"]?["replicas"] == nil)
        #expect(patched["spec"]?["template"]?["spec"]?["restartPolicy"] == nil)
        let web = patched["spec"]?["template"]?["spec"]?["containers"]?[0]
        #expect(web?["args"] == ["-v"])
        #expect(web?["image"] == "nginx:1.25")
        #expect(patched["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.count == 2)
    }

    @Test("$patch: replace replaces an object, and a whole list when in a list element")
    func replaceDirective() throws {
        let patch = try json(
            """
            {"spec":{"selector":{"$patch":"replace","matchLabels":{"tier":"front"}},
              "template":{"spec":{"containers":[{"$patch":"replace"},{"name":"only","image":"x"}]}}}}
            """)
        let patched = try StrategicMergePatch.apply(patch, to: try liveDeployment(), schema: deployment)
        #expect(patched["spec"]?["selector"] == ["matchLabels": ["tier": "front"]])
        #expect(patched["spec"]?["template"]?["spec"]?["containers"] == [["name": "only", "image": "x"]])
    }

    @Test("$patch: delete deletes an object")
    func deleteDirective() throws {
        let patch = try json(#"{"spec":{"strategy":{"rollingUpdate":{"$patch":"delete"}}}}"#)
        let patched = try StrategicMergePatch.apply(patch, to: try liveDeployment(), schema: deployment)
        #expect(patched["spec"]?["strategy"]?["rollingUpdate"] == [:])
    }

    @Test("Service ports merge by port; new elements go before server-only ones that follow merged ones")
    func ports() throws {
        let service = try #require(PatchSchema.builtin(group: "", kind: "Service"))
        let live = try json(#"{"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443}]}}"#)
        let patched = try StrategicMergePatch.apply(
            try json(#"{"spec":{"ports":[{"port":80,"targetPort":9090},{"port":53,"protocol":"UDP"}]}}"#), to: live,
            schema: service)
        #expect(
            patched["spec"]?["ports"]
                == (try json(#"[{"port":80,"targetPort":9090},{"port":53,"protocol":"UDP"},{"port":443}]"#)))
    }

    @Test("a list element without the merge key is a 400")
    func missingMergeKey() throws {
        let error = #expect(throws: APIError.self) {
            try StrategicMergePatch.apply(
                try json(#"{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}"#), to: try liveDeployment(),
                schema: deployment)
        }
        #expect(error?.code == 400)
        #expect(error?.message == #"map: {"image":"x"} does not contain declared merge key: name"#)
    }

    @Test("custom resources refuse strategic merge patches with 415")
    func customResources() throws {
        #expect(PatchSchema.builtin(group: "core.oam.dev", kind: "Component") == nil)
        let error = #expect(throws: APIError.self) {
            try StrategicMergePatch.schema(group: "core.oam.dev", kind: "Component")
        }
        #expect(error?.code == 415)
        #expect(error?.reason == .unsupportedMediaType)
        #expect(
            error?.message
                == "the body of the request was in an unknown format - accepted media types include: "
                + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
    }
}
