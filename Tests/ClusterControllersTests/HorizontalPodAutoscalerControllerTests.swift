import ClusterControllers
import ControllerRuntime
import Foundation
import KubeClient
import OrderedCollections
import Resources
import TestSupport
import Testing

/// The HPA controller on a plane without a metrics API, with plain kubectl, as on a cluster
/// without metrics-server.
@Suite("The horizontal-pod-autoscaler controller")
struct HorizontalPodAutoscalerControllerTests {
    static let autoscaler = GroupVersionKind(group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler")

    /// A plane with the policy controllers, syncing HPAs every half second.
    static func withPlane(_ body: (Plane) async throws -> Void) async throws {
        try await Plane.with(areas: [.policy], configure: { $0.horizontalPodAutoscaler.syncPeriod = .milliseconds(500) }, body)
    }

    @Test("kubectl autoscale scales the target into [min, max] and says no metric can be read")
    func autoscale() async throws {
        try await Self.withPlane { plane in
            try await plane.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=1")
            try await plane.kubectl("autoscale", "deployment", "web", "--min=2", "--max=5", "--cpu-percent=80")
            let status = try await plane.autoscalerStatus("web") {
                $0["conditions"]?.arrayValue?.contains { $0["reason"] == "FailedGetResourceMetric" } == true
            }
            #expect(try await plane.get(.deployment, "web")?.spec?["replicas"] == 2)
            #expect(status["currentReplicas"] == 2)
            #expect(status["desiredReplicas"] == 2)
            #expect(status["lastScaleTime"]?.stringValue != nil)
            #expect(status["currentMetrics"] == [["type": ""]])
            let conditions = status["conditions"]?.arrayValue ?? []
            #expect(conditions.map { $0["type"]?.stringValue ?? "" } == ["AbleToScale", "ScalingActive"])
            #expect(conditions.first?["reason"] == "SucceededGetScale")
            #expect(conditions.last?["status"] == "False")
            #expect(conditions.last?["message"]?.stringValue == "the HPA was unable to compute the replica count: "
                + "failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from "
                + "resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)")

            let table = try await plane.kubectl("get", "hpa", "web")
            #expect(table.stdout.contains("Deployment/web   cpu: <unknown>/80%   2         5         2"))
            let described = try await plane.kubectl("describe", "hpa", "web")
            #expect(described.stdout.contains("ScalingActive  False   FailedGetResourceMetric"))
            #expect(described.stdout.contains("Deployment pods:"))
            _ = try await eventually(timeout: .seconds(10)) {
                let events = try await plane.kubectl("describe", "hpa", "web").stdout
                return events.contains("New size: 2; reason: Current number of replicas below Spec.MinReplicas")
                    && events.contains("FailedComputeMetricsReplicas")
                    && events.contains("invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource")
                    && events.contains("horizontal-pod-autoscaler")
            }

            // Scaled above the maximum by hand: back to it.
            try await plane.kubectl("scale", "deployment", "web", "--replicas=9")
            _ = try await eventually(timeout: .seconds(10)) {
                try await plane.get(.deployment, "web")?.spec?["replicas"] == 5
            }
            // Through autoscaling/v1: the conditions and metrics in kube's annotations.
            _ = try await eventually(timeout: .seconds(10)) {
                try await plane.get(HorizontalPodAutoscalerControllerTests.autoscaler, "web")?.status?["desiredReplicas"] == 5
            }
            let v1 = try await plane.kubectl(
                "get", "horizontalpodautoscalers.v1.autoscaling", "web", "-o",
                "jsonpath={.apiVersion} {.spec.targetCPUUtilizationPercentage} {.status.desiredReplicas} {.metadata.annotations}")
            #expect(v1.stdout.hasPrefix("autoscaling/v1 80 5 "))
            #expect(v1.stdout.contains("FailedGetResourceMetric"))
        }
    }

    @Test("a target that does not exist cannot be scaled, as kube says")
    func missingTarget() async throws {
        try await Self.withPlane { plane in
            try await plane.create("""
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: ghost}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ghost}
                  minReplicas: 2
                  maxReplicas: 5
                  metrics:
                  - type: Resource
                    resource: {name: memory, target: {type: AverageValue, averageValue: 100Mi}}
                """)
            let status = try await plane.autoscalerStatus("ghost") { $0["conditions"]?[0]?["reason"] == "FailedGetScale" }
            #expect(status["conditions"]?[0]?["status"] == "False")
            #expect(status["conditions"]?[0]?["message"]
                == "the HPA controller was unable to get the target's current scale: deployments.apps \"ghost\" not found")
            #expect(status["desiredReplicas"] == 0)
        }
    }
}

extension Plane {
    /// The status of the HPA `name` once `condition` holds of it (fails the test otherwise).
    func autoscalerStatus(_ name: String, until condition: @escaping (JSONValue) -> Bool) async throws -> JSONValue {
        var status: JSONValue = .null
        let reached = try await eventually(timeout: .seconds(15)) {
            status = try await get(HorizontalPodAutoscalerControllerTests.autoscaler, name)?.status ?? .null
            return condition(status)
        }
        #expect(reached, "HorizontalPodAutoscaler \(name) never reached the expected status; last: \(status)")
        return status
    }
}
