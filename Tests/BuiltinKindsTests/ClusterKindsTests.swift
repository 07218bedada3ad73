import Foundation
import OrderedCollections
import BuiltinKinds
import Resources
import Testing

/// Defaults, validation and version conversion of the cluster kinds (Nodes … EndpointSlices),
/// checked against what kube-apiserver v1.36 answers for the same objects.
@Suite("Cluster kinds: defaults, validation, conversion")
struct ClusterKindsConversionTests {
    func defaulted(_ text: String) throws -> Resource {
        var object = try Resource(json(text))
        BuiltinKinds.applyDefaults(&object, kind: object.groupVersionKind)
        return object
    }

    func causes(_ text: String, old: String? = nil) throws -> [String] {
        let object = try Resource(json(text))
        let previous = try old.map { try Resource(json($0)) }
        return BuiltinKinds.validationCauses(object, old: previous, kind: object.groupVersionKind)
            .map { "\($0.field): \($0.message)" }
    }

    @Test("a container LimitRange defaults its limit to the max and its request to the limit")
    func limitRange() throws {
        let object = try defaulted("""
            {"apiVersion":"v1","kind":"LimitRange","metadata":{"name":"l"},
             "spec":{"limits":[{"type":"Container","default":{"cpu":"500m"},"max":{"memory":"1Gi"}}]}}
            """)
        #expect(object.spec?["limits"]?[0]?["default"] == ["cpu": "500m", "memory": "1Gi"])
        #expect(object.spec?["limits"]?[0]?["defaultRequest"] == ["cpu": "500m", "memory": "1Gi"])
    }

    @Test("a NetworkPolicy with egress rules gets both policy types and TCP ports; an HPA gets one minimum replica")
    func policyAndAutoscalerDefaults() throws {
        let policy = try defaulted("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"p"},
             "spec":{"podSelector":{},"egress":[{"ports":[{"port":53}]}]}}
            """)
        #expect(policy.spec?["policyTypes"] == ["Ingress", "Egress"])
        #expect(policy.spec?["egress"]?[0]?["ports"]?[0]?["protocol"] == "TCP")
        let hpa = try defaulted("""
            {"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"h"},
             "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"w"},"maxReplicas":3,
                     "behavior":{"scaleDown":{"stabilizationWindowSeconds":60}}}}
            """)
        #expect(hpa.spec?["minReplicas"] == 1)
        #expect(hpa.spec?["metrics"]?[0]?["resource"]?["target"]?["averageUtilization"] == 80)
        #expect(hpa.spec?["behavior"]?["scaleUp"]?["policies"]?.arrayValue?.count == 2)
        #expect(hpa.spec?["behavior"]?["scaleDown"]?["stabilizationWindowSeconds"] == 60)
    }

    @Test("PriorityClasses: user values are capped, system- names reserved, the value immutable")
    func priorityClass() throws {
        #expect(try causes(#"{"apiVersion":"scheduling.k8s.io/v1","kind":"PriorityClass","metadata":{"name":"big"},"value":2000000000}"#)
            == ["value: Forbidden: maximum allowed value of a user defined priority is 1000000000"])
        #expect(try causes(#"{"apiVersion":"scheduling.k8s.io/v1","kind":"PriorityClass","metadata":{"name":"system-x"},"value":1}"#)
            == ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-x is not a known system priority class"])
        #expect(try causes(
            #"{"apiVersion":"scheduling.k8s.io/v1","kind":"PriorityClass","metadata":{"name":"p"},"value":2,"preemptionPolicy":"PreemptLowerPriority"}"#,
            old: #"{"apiVersion":"scheduling.k8s.io/v1","kind":"PriorityClass","metadata":{"name":"p"},"value":1,"preemptionPolicy":"PreemptLowerPriority"}"#)
            == ["value: Forbidden: may not be changed in an update."])
    }

    @Test("Ingress, PDB, HPA and EndpointSlice rules as kube words them")
    func validation() throws {
        #expect(try causes(#"{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"i"},"spec":{}}"#)
            == ["spec: Invalid value: null: either `defaultBackend` or `rules` must be specified"])
        #expect(try causes(#"{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"p"},"spec":{"maxUnavailable":"120%"}}"#)
            == [#"spec.maxUnavailable: Invalid value: "120%": must not be greater than 100%"#])
        #expect(try causes(#"{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"h"},"spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"w"},"maxReplicas":0}}"#)
            == ["spec.maxReplicas: Required value: must be set and greater than 0"])
        #expect(try causes(#"{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"s"},"addressType":"IPv4","endpoints":[{"addresses":["10.0.0.300"]}]}"#)
            == [#"endpoints[0].addresses[0]: Invalid value: "10.0.0.300": must be a valid IPv4 address"#])
    }

    @Test("autoscaling/v1 shows the CPU target, keeps other metrics, behavior and conditions in kube's annotations, and converts back")
    func autoscalingRoundTrip() throws {
        let v2 = try json("""
            {"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"h"},
             "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"w"},"minReplicas":1,"maxReplicas":5,
                     "metrics":[{"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"100Mi"}}},
                                {"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":60}}}],
                     "behavior":{"scaleDown":{"stabilizationWindowSeconds":60,"selectPolicy":"Max","policies":[{"type":"Percent","value":100,"periodSeconds":15}]}}},
             "status":{"desiredReplicas":2,"currentReplicas":2,
                       "currentMetrics":[{"type":"Resource","resource":{"name":"cpu","current":{"averageValue":"50m","averageUtilization":40}}}],
                       "conditions":[{"type":"AbleToScale","status":"True","reason":"ReadyForNewScale"}]}}
            """)
        let v1 = HorizontalPodAutoscalerConversion.toV1(v2)
        #expect(v1["apiVersion"] == "autoscaling/v1")
        #expect(v1["spec"]?["targetCPUUtilizationPercentage"] == 60)
        #expect(v1["status"]?["currentCPUUtilizationPercentage"] == 40)
        let annotations = v1["metadata"]?["annotations"]
        #expect(annotations?["autoscaling.alpha.kubernetes.io/metrics"]
            == #"[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"100Mi"}}]"#)
        #expect(annotations?["autoscaling.alpha.kubernetes.io/behavior"]?.stringValue?.hasPrefix(#"{"ScaleUp":null,"ScaleDown":{"StabilizationWindowSeconds":60"#) == true)
        let back = HorizontalPodAutoscalerConversion.toV2(v1, stored: nil)
        #expect(back["spec"]?["metrics"] == v2["spec"]?["metrics"])
        #expect(back["spec"]?["behavior"] == v2["spec"]?["behavior"])
        #expect(back["status"]?["conditions"] == v2["status"]?["conditions"])
        #expect(back["metadata"]?["annotations"] == nil)
    }

    @Test("events.k8s.io/v1 and core v1 Events map field for field")
    func eventMapping() throws {
        let core = try json("""
            {"apiVersion":"v1","kind":"Event","metadata":{"name":"e"},"involvedObject":{"kind":"Pod","name":"p"},
             "reason":"R","message":"M","source":{"component":"c"},"count":2,"type":"Normal","reportingComponent":"rc"}
            """)
        let events = EventConversion.toEventsV1(core)
        #expect(events["regarding"]?["name"] == "p")
        #expect(events["note"] == "M")
        #expect(events["deprecatedCount"] == 2)
        #expect(events["deprecatedSource"]?["component"] == "c")
        #expect(events["reportingController"] == "rc")
        #expect(events["eventTime"] == .null)
        let again = EventConversion.toCore(events)
        for key in ["involvedObject", "reason", "message", "source", "count", "type", "reportingComponent"] {
            #expect(again[key] == core[key], "\(key)")
        }
        let strict = EventConversion.strictCreateCauses(again).map(\.field)
        #expect(strict == ["eventTime", "count", "source"])
    }
}
