@testable import ClusterControllers
import ControllerRuntime
import Foundation
import OrderedCollections
import Resources
import TestSupport
import Testing

@Suite("Jobs on the simulated node")
struct JobNodeChainTests {
    /// A plane with the node and the Job controllers, their durations shortened.
    func withPlane(_ body: (Plane) async throws -> Void) async throws {
        try await Plane.with(areas: [.node, .jobs], configure: { options in
            options.node = .fast
            options.jobs.podFailureBackoff = .milliseconds(200)
        }, body)
    }

    @Test("kubectl create job completes on the simulated node, and kubectl wait sees it")
    func createJobCompletes() async throws {
        try await withPlane { plane in
            try await plane.kubectl("create", "job", "pi", "--image=busybox", "--", "echo", "hi")
            try await plane.kubectl("wait", "--for=condition=complete", "job/pi", "--timeout=30s")
            let status = try #require(try await plane.get(.job, "pi")?.status)
            #expect(status["succeeded"] == 1 && status["active"] == nil)
            let pods = try await plane.jobPods(of: "pi")
            #expect(pods.count == 1 && pods[0].finalizers.isEmpty && Pods.phase(of: pods[0]) == "Succeeded")
            let table = try await plane.kubectl("get", "jobs").stdout
            #expect(table.contains("Complete") && table.contains("1/1"))
        }
    }

    @Test("a Job whose Pods exit with an error (mizzen.dev/exit-code) fails with BackoffLimitExceeded")
    func failingJob() async throws {
        try await withPlane { plane in
            try await plane.create("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: broken}
                spec:
                  backoffLimit: 1
                  template:
                    metadata:
                      annotations: {mizzen.dev/exit-code: "3"}
                    spec:
                      restartPolicy: Never
                      containers: [{name: c, image: busybox}]
                """)
            try await plane.kubectl("wait", "--for=condition=failed", "job/broken", "--timeout=30s")
            let status = try #require(try await plane.get(.job, "broken")?.status)
            #expect(status["failed"] == 2)
            #expect(status["conditions"]?[1]?["reason"] == "BackoffLimitExceeded")
            #expect(try await plane.jobPods(of: "broken").allSatisfy { Pods.phase(of: $0) == "Failed" })
        }
    }
}
