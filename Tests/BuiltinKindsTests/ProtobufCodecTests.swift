@testable import BuiltinKinds
import OrderedCollections
import Resources
import Testing

/// Round trips through the protobuf codec: JSON → protobuf → the JSON kube-apiserver would write.
@Suite("Protobuf codec")
struct ProtobufCodecTests {
    /// Encodes and decodes an object.
    func roundTrip(_ object: JSONValue) throws -> JSONValue {
        try ProtobufCodec.decode(ProtobufCodec.encode(object))
    }

    @Test("a ConfigMap comes back with kind and apiVersion first and its fields in the Go struct's order")
    func configMapRoundTrip() throws {
        let configMap = try json("""
            {"apiVersion":"v1","kind":"ConfigMap","data":{"b":"2","a":"1"},
             "metadata":{"name":"settings","namespace":"shop","labels":{"app":"web"}}}
            """)
        let decoded = try roundTrip(configMap)
        #expect(decoded == configMap)
        #expect(Array(decoded.objectValue!.keys) == ["kind", "apiVersion", "metadata", "data"])
        #expect(Array(decoded["data"]!.objectValue!.keys) == ["a", "b"])
        #expect(Array(decoded["metadata"]!.objectValue!.keys) == ["name", "namespace", "labels"])
    }

    @Test("the envelope is the k8s magic and a runtime.Unknown naming apiVersion and kind")
    func envelope() throws {
        let bytes = try ProtobufCodec.encode(["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"]])
        #expect(Array(bytes.prefix(4)) == [0x6B, 0x38, 0x73, 0x00])
        let typeMeta = try ProtobufCodec.typeMeta(of: bytes)
        #expect(typeMeta.apiVersion == "apps/v1")
        #expect(typeMeta.kind == "Deployment")
    }

    @Test("a pointer field present on the wire is kept when zero; a non-pointer zero with omitempty is left out")
    func pointerZeroAndOmitEmpty() throws {
        let deployment = try json("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
             "spec":{"replicas":0,"paused":false,"minReadySeconds":0,
                     "selector":{"matchLabels":{"app":"web"}},
                     "template":{"metadata":{"labels":{"app":"web"}},
                                 "spec":{"containers":[{"name":"web","image":"nginx"}]}}}}
            """)
        let decoded = try roundTrip(deployment)
        let spec = try #require(decoded["spec"])
        #expect(spec["replicas"] == 0)
        #expect(spec["paused"] == nil)
        #expect(spec["minReadySeconds"] == nil)
        // Structs are never left out by omitempty: Go writes them as {}.
        #expect(spec["strategy"] == .emptyObject)
        #expect(decoded["status"] == .emptyObject)
        // creationTimestamp is omitzero.
        #expect(spec["template"]?["metadata"]?["creationTimestamp"] == nil)
        let container = try #require(spec["template"]?["spec"]?["containers"]?[0])
        #expect(container["resources"] == .emptyObject)
        #expect(container["name"] == "web")
        #expect(container["image"] == "nginx")
    }

    @Test("a field without omitempty is written even when zero or nil")
    func noOmitEmpty() throws {
        let service = try json("""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},
             "spec":{"ports":[{"port":80}]}}
            """)
        let decoded = try roundTrip(service)
        let port = try #require(decoded["spec"]?["ports"]?[0])
        #expect(port["port"] == 80)
        // targetPort is an IntOrString struct: always written, 0 when unset.
        #expect(port["targetPort"] == 0)
        let role = try roundTrip(try json("""
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"r"},
             "rules":[{"apiGroups":[""],"resources":["pods"]}]}
            """))
        // verbs has no omitempty: a nil slice is null in Go's JSON.
        #expect(role["rules"]?[0]?["verbs"] == .null)
    }

    @Test("timestamps are RFC 3339 in UTC: Time with seconds, MicroTime with six decimals")
    func times() throws {
        let lease = try json("""
            {"apiVersion":"coordination.k8s.io/v1","kind":"Lease",
             "metadata":{"name":"leader","creationTimestamp":"2026-12-07T04:28:13Z"},
             "spec":{"holderIdentity":"a","leaseDurationSeconds":15,"renewTime":"2026-12-07T04:28:13.123456Z",
                     "acquireTime":"2026-12-07T06:28:13.5+02:00"}}
            """)
        let decoded = try roundTrip(lease)
        #expect(decoded["metadata"]?["creationTimestamp"] == "2026-12-07T04:28:13Z")
        #expect(decoded["spec"]?["renewTime"] == "2026-12-07T04:28:13.123456Z")
        #expect(decoded["spec"]?["acquireTime"] == "2026-12-07T04:28:13.500000Z")
        #expect(ProtobufTimeFormats.rfc3339(seconds: 0) == "1970-01-01T00:00:00Z")
        #expect(ProtobufTimeFormats.rfc3339(seconds: 951_782_400) == "2000-02-29T00:00:00Z")
        #expect(ProtobufTimeFormats.parseRFC3339("1969-12-31T23:59:59Z")?.seconds == -1)
        #expect(ProtobufTimeFormats.parseRFC3339("2026-13-01T00:00:00Z") == nil)
        #expect(ProtobufTimeFormats.parseRFC3339("yesterday") == nil)
    }

    @Test("a Duration is Go's duration string")
    func durations() throws {
        #expect(ProtobufTimeFormats.goDuration(0) == "0s")
        #expect(ProtobufTimeFormats.goDuration(1_500_000_000) == "1.5s")
        #expect(ProtobufTimeFormats.goDuration(120_000_000_000) == "2m0s")
        #expect(ProtobufTimeFormats.goDuration(3_600_000_000_000) == "1h0m0s")
        #expect(ProtobufTimeFormats.goDuration(150_000_000) == "150ms")
        #expect(ProtobufTimeFormats.goDuration(3000) == "3µs")
        #expect(ProtobufTimeFormats.goDuration(-90_000_000_000) == "-1m30s")
        #expect(ProtobufTimeFormats.parseGoDuration("1h30m") == 5_400_000_000_000)
        #expect(ProtobufTimeFormats.parseGoDuration("1.5s") == 1_500_000_000)
        #expect(ProtobufTimeFormats.parseGoDuration("soon") == nil)
        let encoder = ProtobufEncoder(schema: .builtin)
        let bytes = try encoder.encode("meta/v1.Duration", "1m30s", path: "", depth: 0)
        let decoded = try ProtobufDecoder(schema: .builtin).decode("meta/v1.Duration", bytes, bytes.indices, path: "", depth: 0)
        #expect(decoded == "1m30s")
    }

    @Test("quantities, int-or-strings and bytes keep their JSON forms")
    func quantitiesIntOrStringsAndBytes() throws {
        let pod = try json("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
             "spec":{"containers":[{"name":"c","image":"i",
                "resources":{"limits":{"memory":"128Mi","cpu":"500m"}},
                "livenessProbe":{"httpGet":{"port":"http","path":"/"}},
                "readinessProbe":{"tcpSocket":{"port":8080}}}]}}
            """)
        let decoded = try roundTrip(pod)
        let container = try #require(decoded["spec"]?["containers"]?[0])
        #expect(container["resources"]?["limits"] == ["cpu": "500m", "memory": "128Mi"])
        #expect(container["livenessProbe"]?["httpGet"]?["port"] == "http")
        #expect(container["readinessProbe"]?["tcpSocket"]?["port"] == 8080)
        let secret = try roundTrip(try json("""
            {"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"type":"Opaque","data":{"password":"aHVudGVyMg=="}}
            """))
        #expect(secret["data"]?["password"] == "aHVudGVyMg==")
        #expect(Array(secret.objectValue!.keys) == ["kind", "apiVersion", "metadata", "data", "type"])
        #expect(throws: ProtobufError.self) {
            try ProtobufCodec.encode(try json(#"{"apiVersion":"v1","kind":"Secret","data":{"a":"not base64!"}}"#))
        }
    }

    @Test("RawExtension and FieldsV1 carry embedded JSON")
    func embeddedJSON() throws {
        let revision = try json("""
            {"apiVersion":"apps/v1","kind":"ControllerRevision",
             "metadata":{"name":"r","managedFields":[{"manager":"kubectl","operation":"Apply","apiVersion":"apps/v1",
                 "fieldsType":"FieldsV1","fieldsV1":{"f:data":{}}}]},
             "data":{"spec":{"template":{"x":1}}},"revision":3}
            """)
        let decoded = try roundTrip(revision)
        #expect(decoded["data"] == revision["data"])
        #expect(decoded["revision"] == 3)
        #expect(decoded["metadata"]?["managedFields"]?[0]?["fieldsV1"] == ["f:data": .emptyObject])
    }

    @Test("CRD schemas: nested properties, additionalProperties as a Boolean or a schema, items, defaults")
    func customResourceDefinitionSchemas() throws {
        let crd = try json("""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.example.com"},
             "spec":{"group":"example.com","scope":"Namespaced",
               "names":{"plural":"widgets","kind":"Widget"},
               "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object",
                 "properties":{"spec":{"type":"object","additionalProperties":false,
                    "properties":{"size":{"type":"integer","default":3,"maximum":10.5},
                                  "tags":{"type":"array","items":{"type":"string"}},
                                  "labels":{"type":"object","additionalProperties":{"type":"string"}}}}}}}}]}}
            """)
        let decoded = try roundTrip(crd)
        let spec = try #require(decoded["spec"]?["versions"]?[0]?["schema"]?["openAPIV3Schema"]?["properties"]?["spec"])
        #expect(spec["additionalProperties"] == false)
        #expect(spec["properties"]?["size"]?["default"] == 3)
        #expect(spec["properties"]?["size"]?["maximum"] == 10.5)
        #expect(spec["properties"]?["tags"]?["items"] == ["type": "string"])
        #expect(spec["properties"]?["labels"]?["additionalProperties"] == ["type": "string"])
    }

    @Test("lists and Status errors have protobuf forms; custom resources and Tables do not")
    func listsStatusAndUnknownKinds() throws {
        let list = try json("""
            {"apiVersion":"v1","kind":"NamespaceList","metadata":{"resourceVersion":"12"},
             "items":[{"metadata":{"name":"a"},"spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}}]}
            """)
        let decodedList = try roundTrip(list)
        #expect(decodedList["items"]?[0]?["metadata"]?["name"] == "a")
        #expect(decodedList["items"]?[0]?["status"]?["phase"] == "Active")
        #expect(decodedList["metadata"]?["resourceVersion"] == "12")
        let status = try json("""
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
             "message":"configmaps \\"a\\" already exists","reason":"AlreadyExists",
             "details":{"name":"a","kind":"configmaps"},"code":409}
            """)
        #expect(try roundTrip(status) == status)
        #expect(ProtobufCodec.hasMessage(apiVersion: "v1", kind: "Status"))
        #expect(!ProtobufCodec.hasMessage(apiVersion: "example.com/v1", kind: "Widget"))
        #expect(!ProtobufCodec.hasMessage(apiVersion: "example.com/v1", kind: "Status"))
        #expect(!ProtobufCodec.hasMessage(apiVersion: "meta.k8s.io/v1", kind: "Table"))
        #expect(throws: ProtobufError.unknownKind(apiVersion: "example.com/v1", kind: "Widget")) {
            try ProtobufCodec.encode(["apiVersion": "example.com/v1", "kind": "Widget"])
        }
    }

    @Test("every served group-version has its kinds in the table")
    func tableCoverage() {
        let expected = [
            ("v1", "Pod"), ("v1", "Service"), ("v1", "ServiceAccount"), ("apps/v1", "StatefulSet"),
            ("batch/v1", "CronJob"), ("autoscaling/v1", "Scale"), ("autoscaling/v2", "HorizontalPodAutoscaler"),
            ("policy/v1", "PodDisruptionBudget"), ("networking.k8s.io/v1", "Ingress"),
            ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"), ("scheduling.k8s.io/v1", "PriorityClass"),
            ("discovery.k8s.io/v1", "EndpointSlice"), ("events.k8s.io/v1", "Event"),
            ("coordination.k8s.io/v1", "Lease"),
            ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"),
            ("authentication.k8s.io/v1", "TokenRequest"), ("authorization.k8s.io/v1", "SelfSubjectAccessReview"),
            ("apiextensions.k8s.io/v1", "CustomResourceDefinition"), ("meta.k8s.io/v1", "WatchEvent"),
            ("v1", "DeleteOptions"),
        ]
        for (apiVersion, kind) in expected {
            #expect(ProtobufCodec.hasMessage(apiVersion: apiVersion, kind: kind), "\(apiVersion) \(kind)")
        }
    }

    @Test("watch frames are a big-endian length and a WatchEvent whose object carries its envelope")
    func watchFrames() throws {
        let event: JSONValue = [
            "type": "MODIFIED",
            "object": ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a"], "data": ["k": "v"]],
        ]
        let frame = try ProtobufCodec.watchFrame(for: event)
        let length = Int(frame[0]) << 24 | Int(frame[1]) << 16 | Int(frame[2]) << 8 | Int(frame[3])
        #expect(length == frame.count - 4)
        let twoFrames = frame + frame
        let events = try ProtobufCodec.decodeWatchFrames(twoFrames + Array(frame.prefix(6)))
        #expect(events.count == 2)
        #expect(events[0]["type"] == "MODIFIED")
        #expect(events[0]["object"] == event["object"])
        #expect(ProtobufCodec.servesProtobuf(path: "/api/v1/namespaces/a/configmaps"))
        #expect(ProtobufCodec.servesProtobuf(path: "/apis/apps/v1/deployments"))
        #expect(!ProtobufCodec.servesProtobuf(path: "/apis/core.oam.dev/v1alpha2/components"))
    }

    @Test("content negotiation follows q-values and order; Tables and */* are JSON")
    func negotiation() {
        #expect(ProtobufCodec.prefersProtobuf(accept: "application/vnd.kubernetes.protobuf,application/json"))
        #expect(ProtobufCodec.prefersProtobuf(accept: "application/vnd.kubernetes.protobuf;stream=watch"))
        #expect(!ProtobufCodec.prefersProtobuf(accept: "application/json, application/vnd.kubernetes.protobuf"))
        #expect(!ProtobufCodec.prefersProtobuf(accept: "application/vnd.kubernetes.protobuf;q=0.5, application/json"))
        #expect(!ProtobufCodec.prefersProtobuf(accept: "application/json, */*"))
        #expect(!ProtobufCodec.prefersProtobuf(accept: "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io"))
        #expect(ProtobufCodec.acceptsOnlyProtobuf(accept: "application/vnd.kubernetes.protobuf"))
        #expect(!ProtobufCodec.acceptsOnlyProtobuf(accept: "application/vnd.kubernetes.protobuf, */*"))
    }
}
