@testable import OAMControllers
import ControllerRuntime
import Foundation
import KubeClient
import OAM
import OrderedCollections
import Resources
import TestSupport
import Testing

/// The HealthScope's rules for the catalog's workloads: PodSpecWorkload (through its
/// Deployment), Job and CronJob.
@Suite("HealthScope rules of the catalog's workloads")
struct CatalogHealthTests {
    static func job(_ name: String, created: String = "2026-01-01T00:00:00Z", conditions: [JSONValue] = [],
                    suspend: Bool = false, active: Int64 = 0, succeeded: Int64 = 0) -> Resource {
        var job = Resource(apiVersion: "batch/v1", kind: "Job", name: name, namespace: "shop")
        job.creationTimestamp = created
        job.spec = ["completions": 1, "suspend": .bool(suspend)]
        job.status = ["conditions": .array(conditions), "active": .int(active), "succeeded": .int(succeeded)]
        return job
    }

    static func condition(_ type: String, reason: String = "", message: String = "") -> JSONValue {
        ["type": .string(type), "status": "True", "reason": .string(reason), "message": .string(message)]
    }

    @Test("a Job is HEALTHY once complete, UNHEALTHY while running, suspended or failed (with the reason)")
    func jobRules() {
        let complete = HealthScopeReconciler.jobHealth(Self.job("a", conditions: [Self.condition("Complete")], succeeded: 1))
        #expect(complete.status == .healthy && complete.diagnosis == "Complete Succeeded:1/1")
        let running = HealthScopeReconciler.jobHealth(Self.job("a", active: 1))
        #expect(running.status == .unhealthy && running.diagnosis == "Running active:1 Succeeded:0/1")
        let suspended = HealthScopeReconciler.jobHealth(Self.job("a", suspend: true))
        #expect(suspended.status == .unhealthy && suspended.diagnosis == "Suspended Succeeded:0/1")
        let failed = HealthScopeReconciler.jobHealth(Self.job("a", conditions: [
            Self.condition("Failed", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit"),
        ]))
        #expect(failed.status == .unhealthy)
        #expect(failed.diagnosis == "Failed Succeeded:0/1 (BackoffLimitExceeded: Job has reached the specified backoff limit)")
    }

    @Test("a CronJob is UNHEALTHY only when the latest of its finished Jobs failed")
    func cronJobRules() {
        var cronJob = Resource(apiVersion: "batch/v1", kind: "CronJob", name: "report", namespace: "shop")
        cronJob.spec = ["schedule": "*/5 * * * *"]
        let none = HealthScopeReconciler.cronJobHealth(cronJob, jobs: [])
        #expect(none.status == .healthy && none.diagnosis == "Active:0 no Job finished yet")

        let failedEarlier = Self.job("report-1", created: "2026-01-01T00:00:00Z", conditions: [Self.condition("Failed", reason: "DeadlineExceeded")])
        let completeLater = Self.job("report-2", created: "2026-01-01T00:05:00Z", conditions: [Self.condition("Complete")])
        let runningNow = Self.job("report-3", created: "2026-01-01T00:10:00Z", active: 1)
        let recovered = HealthScopeReconciler.cronJobHealth(cronJob, jobs: [completeLater, runningNow, failedEarlier])
        #expect(recovered.status == .healthy && recovered.diagnosis == "Active:0 last Job report-2 complete")

        let failedLater = Self.job("report-4", created: "2026-01-01T00:15:00Z", conditions: [Self.condition("Failed", reason: "BackoffLimitExceeded")])
        cronJob.spec?["suspend"] = true
        let failing = HealthScopeReconciler.cronJobHealth(cronJob, jobs: [completeLater, failedLater])
        #expect(failing.status == .unhealthy)
        #expect(failing.diagnosis == "Suspended Active:0 last Job report-4 failed (BackoffLimitExceeded)")
    }

    @Test("a PodSpecWorkload is judged by its Deployment and a Job by its completion, through an AppConfig's scope",
          arguments: Substrate.available)
    func throughAScope(on substrate: Substrate) async throws {
        var options = OAMControllers.Options()
        options.nodeSimulator = true
        try await Runtime.with(on: substrate, options: options) { runtime in
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("examples/podspec-workload")
            for file in ["component.yaml", "scope.yaml", "appconfig.yaml"] {
                try await runtime.create(try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8))
            }
            if substrate.runsPods {
                // The simulated node runs the Pods and completes the Job.
                let scope = try await runtime.waitFor(Kinds.healthScope, "shop-health") {
                    $0.status?["scopeHealthCondition"] == ["healthStatus": "HEALTHY", "total": 2, "healthyWorkloads": 2]
                }
                let conditions = scope.status?["healthConditions"]?.arrayValue ?? []
                #expect(conditions.map { $0["targetWorkload"]?["kind"] } == ["Job", "PodSpecWorkload"])
                #expect(conditions.first?["diagnosis"] == "Complete Succeeded:1/1")
                #expect(conditions.last?["diagnosis"] == "Ready:3/3")
            } else {
                // The kit has no kubelet: the Deployment simulator reports the web server ready,
                // the Job never runs.
                let scope = try await runtime.waitFor(Kinds.healthScope, "shop-health") {
                    let conditions = $0.status?["healthConditions"]?.arrayValue ?? []
                    return conditions.count == 2 && conditions.last?["healthStatus"] == "HEALTHY"
                }
                #expect(scope.status?["scopeHealthCondition"]?["healthStatus"] == "UNHEALTHY")
                let job = scope.status?["healthConditions"]?[0]
                #expect(job?["healthStatus"] == "UNHEALTHY")
                #expect(job?["diagnosis"]?.stringValue?.hasPrefix("Running") == true)
            }
        }
    }

    @Test("an AppConfig with two conflicting traits reports it in its Synced condition and runs neither",
          arguments: Substrate.available)
    func conflictingTraitsAreReported(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create(PodSpecWorkloadControllerTests.component(ports: "[]"))
            // Written past admission's checks: as if the AppConfig was admitted before the definitions changed.
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: shop}
                spec:
                  components:
                  - componentName: web
                    traits:
                    - trait: {apiVersion: core.oam.dev/v1alpha2, kind: ManualScalerTrait, spec: {replicaCount: 4}}
                    - trait:
                        apiVersion: standard.oam.dev/v1alpha1
                        kind: HorizontalPodAutoscalerTrait
                        spec: {maxReplicas: 5}
                """)
            // Until the controller's cache has the Component, the condition says it is missing.
            let appConfig = try await runtime.waitFor(Kinds.appConfig, "shop") {
                syncedCondition(of: $0)?["status"] == "False"
                    && syncedCondition(of: $0)?["message"]?.stringValue?.contains("conflicts with") == true
            }
            let message = syncedCondition(of: appConfig)?["message"]?.stringValue ?? ""
            #expect(message.contains("spec.components[0].traits[1].trait"), "\(message)")
            #expect(message.contains("conflicts with \"manualscalertraits.core.oam.dev\""), "\(message)")
            #expect(try await runtime.get(PodSpecWorkload.workloadKind, "web") == nil)
        }
    }
}
