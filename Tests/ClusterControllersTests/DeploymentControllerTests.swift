import ClusterControllers
import ControllerRuntime
import Foundation
import OrderedCollections
import KubeClient
import Resources
import TestSupport
import Testing

/// Deployments with plain kubectl against a plane running the Deployment and ReplicaSet
/// controllers; the tests stand in for the kubelet by marking Pods ready themselves.
@Suite("Deployment controller")
struct DeploymentControllerTests {
    @Test("kubectl create deployment makes a ReplicaSet named by its pod-template-hash, with its Pods and Events")
    func createsReplicaSetAndPods() async throws {
        try await Plane.with(areas: [.deployments]) { plane in
            try await plane.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=3")
            #expect(try await eventually { try await plane.list(.pod).count == 3 })
            let sets = try await plane.list(.replicaSet)
            try #require(sets.count == 1)
            let replicaSet = sets[0]
            let hash = try #require(replicaSet.labels["pod-template-hash"])
            #expect(replicaSet.name == "web-\(hash)")
            #expect(hash.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) } && (1...10).contains(hash.count))
            #expect(replicaSet.spec?["selector"]?["matchLabels"] == ["app": "web", "pod-template-hash": .string(hash)])
            #expect(replicaSet.spec?["template"]?["metadata"]?["labels"]?["pod-template-hash"]?.stringValue == hash)
            #expect(replicaSet.annotations["deployment.kubernetes.io/revision"] == "1")
            #expect(replicaSet.annotations["deployment.kubernetes.io/desired-replicas"] == "3")
            #expect(replicaSet.annotations["deployment.kubernetes.io/max-replicas"] == "4")
            #expect(replicaSet.controllerReference?.kind == "Deployment")
            #expect(replicaSet.controllerReference?.name == "web")
            for pod in try await plane.list(.pod) {
                #expect(pod.generateName == "\(replicaSet.name)-")
                #expect(pod.labels["pod-template-hash"] == hash)
                #expect(pod.controllerReference?.name == replicaSet.name)
            }
            let deployment = try #require(try await plane.get(.deployment, "web"))
            #expect(deployment.annotations["deployment.kubernetes.io/revision"] == "1")

            #expect(try await eventually {
                let events = try await plane.list(.event)
                let scaled = events.contains {
                    $0.object["reason"] == "ScalingReplicaSet"
                        && $0.object["message"]?.stringValue == "Scaled up replica set \(replicaSet.name) from 0 to 3"
                        && $0.object["source"]?["component"] == "deployment-controller"
                }
                let created = events.filter {
                    $0.object["reason"] == "SuccessfulCreate"
                        && ($0.object["message"]?.stringValue ?? "").hasPrefix("Created pod: \(replicaSet.name)-")
                        && $0.object["source"]?["component"] == "replicaset-controller"
                }
                return scaled && created.count == 3
            })
            // Two hashes of one template agree: a second Deployment of the same template gets the same hash.
            try await plane.kubectl("create", "deployment", "web2", "--image=nginx", "--replicas=0")
            #expect(try await eventually {
                try await plane.list(.replicaSet).contains { $0.name.hasPrefix("web2-") }
            })
        }
    }

    @Test("kubectl rollout status returns once every Pod is ready; the conditions say what kube says")
    func rolloutStatusAndConditions() async throws {
        try await Plane.with(areas: [.deployments]) { plane in
            try await plane.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=2")
            #expect(try await eventually {
                let status = try await plane.get(.deployment, "web")?.status
                return status?["unavailableReplicas"] == 2 && status?["updatedReplicas"] == 2
            })
            let pending = try #require(try await plane.get(.deployment, "web")?.status)
            #expect(DeploymentControllerTests.condition("Available", in: pending)?["reason"] == "MinimumReplicasUnavailable")
            #expect(DeploymentControllerTests.condition("Available", in: pending)?["message"]
                == "Deployment does not have minimum availability.")
            let rollout = Task { try await plane.kubectl("rollout", "status", "deployment/web", "--timeout=60s") }
            #expect(try await eventually { try await plane.readyEveryPod() == 2 })
            let result = try await rollout.value
            #expect(result.status == 0)
            #expect(result.stdout.contains("deployment \"web\" successfully rolled out"))

            let status = try #require(try await plane.get(.deployment, "web")?.status)
            let replicaSet = try #require(try await plane.list(.replicaSet).first)
            #expect(status["replicas"] == 2 && status["readyReplicas"] == 2 && status["availableReplicas"] == 2)
            #expect(status["updatedReplicas"] == 2 && status["unavailableReplicas"] == nil)
            #expect(status["terminatingReplicas"] == 0)
            // kube leaves the generation at 1 (it writes the revision annotation through /status,
            // which the embedded plane does not let metadata through); observed is what counts.
            let generation = try #require(try await plane.get(.deployment, "web")?.generation)
            #expect(status["observedGeneration"]?.intValue == generation)
            let available = DeploymentControllerTests.condition("Available", in: status)
            #expect(available?["status"] == "True" && available?["reason"] == "MinimumReplicasAvailable")
            #expect(available?["message"] == "Deployment has minimum availability.")
            let progressing = DeploymentControllerTests.condition("Progressing", in: status)
            #expect(progressing?["status"] == "True" && progressing?["reason"] == "NewReplicaSetAvailable")
            #expect(progressing?["message"]?.stringValue == "ReplicaSet \"\(replicaSet.name)\" has successfully progressed.")
            let rs = try #require(replicaSet.status)
            #expect(rs["replicas"] == 2 && rs["fullyLabeledReplicas"] == 2 && rs["readyReplicas"] == 2)
            #expect(rs["availableReplicas"] == 2 && rs["observedGeneration"] == 1 && rs["terminatingReplicas"] == 0)

            let describe = try await plane.kubectl("describe", "deployment", "web")
            #expect(describe.stdout.contains("2 desired | 2 updated | 2 total | 2 available | 0 unavailable"))
            #expect(describe.stdout.contains("NewReplicaSetAvailable"))
            #expect(describe.stdout.contains("NewReplicaSet:"))
            #expect(describe.stdout.contains("Scaled up replica set \(replicaSet.name) from 0 to 2"))
        }
    }

    @Test("kubectl set image rolls out a new ReplicaSet; rollout history and undo work through its revisions")
    func setImageHistoryAndUndo() async throws {
        try await Plane.with(areas: [.deployments]) { plane in
            try await plane.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=3")
            try await plane.rolledOut("web", replicas: 3)
            let first = try #require(try await plane.list(.replicaSet).first)

            try await plane.kubectl("annotate", "deployment/web", "kubernetes.io/change-cause=nginx 1.27")
            try await plane.kubectl("set", "image", "deployment/web", "nginx=nginx:1.27")
            try await plane.rolledOut("web", replicas: 3)
            let sets = try await plane.list(.replicaSet)
            #expect(sets.count == 2)
            let second = try #require(sets.first { $0.name != first.name })
            #expect(second.annotations["deployment.kubernetes.io/revision"] == "2")
            #expect(second.annotations["kubernetes.io/change-cause"] == "nginx 1.27")
            #expect(second.spec?["replicas"] == 3)
            #expect(sets.first { $0.name == first.name }?.spec?["replicas"] == 0)
            let pods = try await plane.list(.pod).filter { !$0.isBeingDeleted }
            #expect(pods.count == 3 && pods.allSatisfy { $0.labels["pod-template-hash"] == second.labels["pod-template-hash"] })
            #expect(try await eventually {
                try await plane.list(.event).contains {
                    $0.object["reason"] == "ScalingReplicaSet"
                        && ($0.object["message"]?.stringValue ?? "").hasPrefix("Scaled down replica set \(first.name) from 3 to ")
                }
            })

            let history = try await plane.kubectl("rollout", "history", "deployment/web")
            #expect(history.stdout.contains("REVISION"))
            #expect(history.stdout.contains("2         nginx 1.27"))
            let revision = try await plane.kubectl("rollout", "history", "deployment/web", "--revision=2")
            #expect(revision.stdout.contains("nginx:1.27"))
            #expect(revision.stdout.contains("pod-template-hash="))

            try await plane.kubectl("rollout", "undo", "deployment/web")
            try await plane.rolledOut("web", replicas: 3)
            let undone = try #require(try await plane.get(.replicaSet, first.name))
            #expect(undone.annotations["deployment.kubernetes.io/revision"] == "3")
            #expect(undone.annotations["deployment.kubernetes.io/revision-history"] == "1")
            #expect(undone.spec?["replicas"] == 3)
            #expect(try await plane.get(.deployment, "web")?.annotations["deployment.kubernetes.io/revision"] == "3")

            try await plane.kubectl("rollout", "undo", "deployment/web", "--to-revision=2")
            try await plane.rolledOut("web", replicas: 3)
            let again = try #require(try await plane.get(.replicaSet, second.name))
            #expect(again.annotations["deployment.kubernetes.io/revision"] == "4")
            #expect(again.spec?["replicas"] == 3)
            let image = try await plane.kubectl(
                "get", "deployment/web", "-o", "jsonpath={.spec.template.spec.containers[0].image}")
            #expect(image.stdout == "nginx:1.27")
        }
    }

    @Test("kubectl rollout pause holds a template change back, resume rolls it out; the condition says so")
    func pauseAndResume() async throws {
        try await Plane.with(areas: [.deployments]) { plane in
            try await plane.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=2")
            try await plane.rolledOut("web", replicas: 2)
            try await plane.kubectl("rollout", "pause", "deployment/web")
            #expect(try await eventually {
                let status = try await plane.get(.deployment, "web")?.status
                let progressing = DeploymentControllerTests.condition("Progressing", in: status)
                return progressing?["reason"] == "DeploymentPaused" && progressing?["status"] == "Unknown"
                    && progressing?["message"] == "Deployment is paused"
            })
            try await plane.kubectl("set", "image", "deployment/web", "nginx=nginx:1.27")
            #expect(try await eventually {
                let deployment = try await plane.get(.deployment, "web")
                return deployment?.status?["observedGeneration"]?.intValue == deployment?.generation
                    && deployment?.spec?["template"]?["spec"]?["containers"]?[0]?["image"] == "nginx:1.27"
            })
            #expect(try await plane.list(.replicaSet).count == 1)
            try await plane.kubectl("rollout", "resume", "deployment/web")
            #expect(try await eventually {
                let status = try await plane.get(.deployment, "web")?.status
                let progressing = DeploymentControllerTests.condition("Progressing", in: status)
                return progressing?["reason"] != "DeploymentPaused"
            })
            try await plane.rolledOut("web", replicas: 2)
            #expect(try await plane.list(.replicaSet).count == 2)
        }
    }

    @Test("kubectl scale and kubectl rollout restart act through the ReplicaSets")
    func scaleAndRestart() async throws {
        try await Plane.with(areas: [.deployments]) { plane in
            try await plane.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=2")
            try await plane.rolledOut("web", replicas: 2)
            try await plane.kubectl("scale", "deployment/web", "--replicas=5")
            try await plane.rolledOut("web", replicas: 5)
            let sets = try await plane.list(.replicaSet)
            #expect(sets.count == 1 && sets[0].spec?["replicas"] == 5)
            #expect(sets[0].annotations["deployment.kubernetes.io/desired-replicas"] == "5")
            #expect(sets[0].annotations["deployment.kubernetes.io/max-replicas"] == "7")
            try await plane.kubectl("scale", "deployment/web", "--replicas=1")
            try await plane.rolledOut("web", replicas: 1)
            #expect(try await plane.list(.pod).filter { !$0.isBeingDeleted }.count == 1)

            try await plane.kubectl("rollout", "restart", "deployment/web")
            try await plane.rolledOut("web", replicas: 1)
            let after = try await plane.list(.replicaSet)
            #expect(after.count == 2)
            #expect(after.contains {
                $0.spec?["template"]?["metadata"]?["annotations"]?["kubectl.kubernetes.io/restartedAt"] != nil
                    && $0.spec?["replicas"] == 1
            })
            let get = try await plane.kubectl("get", "rs")
            #expect(get.stdout.contains("DESIRED"))
        }
    }

    @Test("old ReplicaSets beyond revisionHistoryLimit are deleted")
    func revisionHistoryLimit() async throws {
        try await Plane.with(areas: [.deployments]) { plane in
            try await plane.create("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  replicas: 1
                  revisionHistoryLimit: 1
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{name: nginx, image: nginx}]}
                """)
            try await plane.rolledOut("web", replicas: 1)
            for tag in ["1.25", "1.26", "1.27"] {
                try await plane.kubectl("set", "image", "deployment/web", "nginx=nginx:\(tag)")
                try await plane.rolledOut("web", replicas: 1)
            }
            #expect(try await eventually {
                let sets = try await plane.list(.replicaSet).filter { !$0.isBeingDeleted }
                return sets.count == 2
            })
            let revisions = try await plane.list(.replicaSet).compactMap { $0.annotations["deployment.kubernetes.io/revision"] }
            #expect(Set(revisions).isSuperset(of: ["3", "4"]))
        }
    }

    @Test("Recreate scales the old ReplicaSet to zero and waits for its Pods before creating the new one")
    func recreate() async throws {
        try await Plane.with(areas: [.deployments]) { plane in
            try await plane.create("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  replicas: 2
                  strategy: {type: Recreate}
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{name: nginx, image: nginx}]}
                """)
            try await plane.rolledOut("web", replicas: 2)
            try await plane.kubectl("set", "image", "deployment/web", "nginx=nginx:1.27")
            try await plane.rolledOut("web", replicas: 2)
            let sets = try await plane.list(.replicaSet)
            #expect(sets.count == 2)
            #expect(sets.filter { $0.spec?["replicas"] == 0 }.count == 1)
            let deployment = try #require(try await plane.get(.deployment, "web"))
            #expect(deployment.status?["updatedReplicas"] == 2)
        }
    }

    @Test("a rollout that makes no progress within progressDeadlineSeconds is reported as ProgressDeadlineExceeded")
    func progressDeadline() async throws {
        try await Plane.with(areas: [.deployments]) { plane in
            try await plane.create("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: stuck}
                spec:
                  replicas: 1
                  progressDeadlineSeconds: 2
                  selector: {matchLabels: {app: stuck}}
                  template:
                    metadata: {labels: {app: stuck}}
                    spec: {containers: [{name: nginx, image: nginx}]}
                """)
            #expect(try await eventually(timeout: .seconds(30)) {
                let status = try await plane.get(.deployment, "stuck")?.status
                let progressing = DeploymentControllerTests.condition("Progressing", in: status)
                return progressing?["status"] == "False" && progressing?["reason"] == "ProgressDeadlineExceeded"
            })
            let status = try #require(try await plane.get(.deployment, "stuck")?.status)
            let message = DeploymentControllerTests.condition("Progressing", in: status)?["message"]?.stringValue ?? ""
            #expect(message.hasPrefix("ReplicaSet \"stuck-") && message.hasSuffix("\" has timed out progressing."))
            let rollout = try await plane.kubectl("rollout", "status", "deployment/stuck", "--timeout=20s", allowFailure: true)
            #expect(rollout.status != 0)
            #expect(rollout.stderr.contains("exceeded its progress deadline"))
        }
    }

    @Test("a rolled-out Deployment, its ReplicaSet and Pods are not written again on a resync")
    func noWritesWhenConverged() async throws {
        try await Plane.with(areas: [.deployments]) { plane in
            try await plane.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=2")
            try await plane.rolledOut("web", replicas: 2)
            await plane.service.manager.waitUntilIdle()
            func versions() async throws -> [String] {
                let objects = try await plane.list(.deployment) + plane.list(.replicaSet) + plane.list(.pod)
                return objects.map { "\($0.name)@\($0.resourceVersion ?? "")" }.sorted()
            }
            let before = try await versions()
            await plane.service.manager.resync()
            await plane.service.manager.waitUntilIdle()
            #expect(try await versions() == before)
        }
    }

    @Test("the deprecated rollback annotation puts back the template of a revision, with kube's Event")
    func rollbackAnnotation() async throws {
        try await Plane.with(areas: [.deployments]) { plane in
            try await plane.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=1")
            try await plane.rolledOut("web", replicas: 1)
            try await plane.kubectl("set", "image", "deployment/web", "nginx=nginx:1.27")
            try await plane.rolledOut("web", replicas: 1)
            try await plane.kubectl("annotate", "deployment/web", "deprecated.deployment.rollback.to=1")
            #expect(try await eventually {
                let deployment = try await plane.get(.deployment, "web")
                return deployment?.annotations["deprecated.deployment.rollback.to"] == nil
                    && deployment?.spec?["template"]?["spec"]?["containers"]?[0]?["image"] == "nginx"
            })
            #expect(try await eventually {
                try await plane.list(.event).contains {
                    $0.object["reason"] == "DeploymentRollback"
                        && $0.object["message"] == "Rolled back deployment \"web\" to revision 1"
                }
            })
            try await plane.rolledOut("web", replicas: 1)
        }
    }

    static func condition(_ type: String, in status: JSONValue?) -> JSONValue? {
        status?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
    }
}

extension Plane {
    /// Stands in for the kubelet: every Pending Pod becomes Running and Ready (through the
    /// status subresource); returns how many Pods are ready now.
    @discardableResult
    func readyEveryPod(namespace: String = "default") async throws -> Int {
        var ready = 0
        for pod in try await list(.pod, namespace: namespace) where !pod.isBeingDeleted {
            if Pods.isReady(pod) {
                ready += 1
                continue
            }
            let patch: JSONValue = ["status": [
                "phase": "Running",
                "conditions": [["type": "Ready", "status": "True", "lastTransitionTime": .string(KubernetesTime.now)]],
            ]]
            do {
                _ = try await client.patch(
                    .pod, name: pod.name, namespace: namespace, patch: patch, type: .merge, subresource: "status")
                ready += 1
            } catch let error as APIError where error.reason == .notFound {}
        }
        return ready
    }

    /// Marks Pods ready until the Deployment `name` is rolled out at `replicas` (as `kubectl
    /// rollout status` decides), failing the test if it is not within the timeout.
    func rolledOut(_ name: String, replicas: Int, namespace: String = "default") async throws {
        let done = try await eventually(timeout: .seconds(30)) {
            try await readyEveryPod(namespace: namespace)
            guard let deployment = try await get(.deployment, name, namespace: namespace),
                let status = deployment.status
            else { return false }
            let want = Int64(replicas)
            return (status["observedGeneration"]?.intValue ?? 0) >= (deployment.generation ?? 0)
                && (status["updatedReplicas"]?.intValue ?? 0) == want && (status["replicas"]?.intValue ?? 0) == want
                && (status["availableReplicas"]?.intValue ?? 0) == want
        }
        if !done {
            let status = try await get(.deployment, name, namespace: namespace)?.status
            Issue.record("Deployment \(name) did not roll out to \(replicas): \(status?.jsonString() ?? "no status")")
        }
    }
}
