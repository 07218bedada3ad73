@testable import ClusterControllers
import Foundation
import OrderedCollections
import Resources
import Testing

@Suite("The HPA controller's pure parts")
struct HorizontalPodAutoscalerStatusTests {
    static let metricCases: [(JSONValue, String, String)] = [
        (["type": "Resource", "resource": ["name": "memory", "target": ["type": "AverageValue", "averageValue": "100Mi"]]],
         "FailedGetResourceMetric",
         "failed to get memory usage: unable to get metrics for resource memory: unable to fetch metrics from resource "
            + "metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)"),
        (["type": "Pods", "pods": ["metric": ["name": "qps"], "target": ["type": "AverageValue", "averageValue": "10"]]],
         "FailedGetPodsMetric",
         "unable to get metric qps: unable to fetch metrics from custom metrics API: no custom metrics API "
            + "(custom.metrics.k8s.io) registered"),
        (["type": "Object", "object": ["describedObject": ["apiVersion": "v1", "kind": "Service", "name": "web"],
                                       "metric": ["name": "rps"], "target": ["type": "Value", "value": "10"]]],
         "FailedGetObjectMetric",
         "unable to get metric rps: Service on h-policy web/unable to fetch metrics from custom metrics API: no custom "
            + "metrics API (custom.metrics.k8s.io) registered"),
        (["type": "External", "external": ["metric": ["name": "queue"], "target": ["type": "AverageValue", "averageValue": "10"]]],
         "FailedGetExternalMetric",
         "unable to get external metric h-policy/queue/nil: unable to fetch metrics from external metrics API: the server "
            + "could not find the requested resource (get queue.external.metrics.k8s.io)"),
        (["type": "ContainerResource", "containerResource": ["name": "cpu", "container": "nginx",
                                                             "target": ["type": "Utilization", "averageUtilization": 60]]],
         "FailedGetContainerResourceMetric",
         "failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource "
            + "metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)"),
    ]

    @Test("each kind of metric fails as kube's controller reports it without a metrics API", arguments: metricCases)
    func metricFailures(spec: JSONValue, reason: String, message: String) {
        let failure = HorizontalPodAutoscalerMetrics.failure(of: spec, namespace: "h-policy")
        #expect(failure.reason == reason)
        #expect(failure.message == message)
    }

    @Test("FailedComputeMetricsReplicas quotes the first failure, wrapped as kube wraps it")
    func computeMessage() {
        let failures = [
            HorizontalPodAutoscalerMetrics.failure(
                of: ["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 80]]],
                namespace: "shop"),
            HorizontalPodAutoscalerMetrics.failure(of: ["type": "Pods", "pods": ["metric": ["name": "qps"]]], namespace: "shop"),
        ]
        #expect(HorizontalPodAutoscalerMetrics.computeMessage(failures)
            == "invalid metrics (2 invalid out of 2), first error is: failed to get cpu resource metric value: failed to "
            + "get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics "
            + "API: the server could not find the requested resource (get pods.metrics.k8s.io)")
    }

    static let boundCases: [(Int64, Int64?, String)] = [
        (1, 2, "Current number of replicas below Spec.MinReplicas"),
        (9, 5, "Current number of replicas above Spec.MaxReplicas"),
        (3, nil, ""),
        (0, nil, ""),
    ]

    @Test("replicas outside [min, max] are brought into it, with kube's reasons", arguments: boundCases)
    func bounds(current: Int64, expected: Int64?, reason: String) {
        let bounded = HorizontalPodAutoscalerStatus.boundedReplicas(current: current, min: 2, max: 5)
        #expect(bounded?.replicas == expected)
        #expect((bounded?.reason ?? "") == reason)
    }

    @Test("a condition keeps its transition time while its status holds")
    func conditionTimes() {
        let first = HorizontalPodAutoscalerStatus.setting(
            "AbleToScale", status: "True", reason: "SucceededGetScale", message: "a", in: [], now: "t1")
        let same = HorizontalPodAutoscalerStatus.setting(
            "AbleToScale", status: "True", reason: "SucceededRescale", message: "b", in: first, now: "t2")
        #expect(same[0]["lastTransitionTime"] == "t1")
        #expect(same[0]["reason"] == "SucceededRescale")
        let flipped = HorizontalPodAutoscalerStatus.setting(
            "AbleToScale", status: "False", reason: "FailedGetScale", message: "c", in: same, now: "t3")
        #expect(flipped[0]["lastTransitionTime"] == "t3")
    }

    @Test("Events of one HPA: 25 at once, then one per five minutes")
    func eventLimiter() {
        let limiter = HorizontalPodAutoscalerEventLimiter()
        let start = Date(timeIntervalSince1970: 1_000_000)
        let burst = (0..<30).filter { _ in limiter.allow("uid", now: start) }
        #expect(burst.count == 25)
        #expect(!limiter.allow("uid", now: start.addingTimeInterval(150)))
        #expect(limiter.allow("uid", now: start.addingTimeInterval(300)))
        #expect(!limiter.allow("uid", now: start.addingTimeInterval(315)))
        #expect(limiter.allow("other", now: start))
        limiter.forget("uid")
        #expect(limiter.allow("uid", now: start))
    }
}
