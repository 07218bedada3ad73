import APIServer
import Foundation
import Resources
import TestSupport
import Testing

/// Pods, ReplicaSets, DaemonSets, Jobs and CronJobs served by the embedded plane, driven by
/// kubectl: stored with kube-apiserver's defaults, validated, printed with its columns, selected
/// by its field selectors, and the Pod subresources `log`, `binding` and `eviction`.
@Suite("Workload kinds with kubectl", .enabled(if: Kubectl.isInstalled))
struct WorkloadKindsTests {
    static let pod = """
        apiVersion: v1
        kind: Pod
        metadata: {name: web, labels: {app: web}}
        spec:
          containers:
            - name: web
              image: nginx:1.27
              ports: [{containerPort: 80}]
        """

    @Test("discovery lists the workload kinds with kube's short names, categories and subresources")
    func discovery() async throws {
        let plane = try await EmbeddedPlane.start()
        let core = try await plane.kubectlOK(["api-resources", "--api-group=", "-o", "wide"])
        #expect(core.contains("pods") && core.contains("po ") && core.contains("Pod"))
        let apps = try await plane.kubectlOK(["api-resources", "--api-group=apps", "-o", "name"])
        #expect(apps.contains("replicasets.apps") && apps.contains("daemonsets.apps"))
        let batch = try JSONValue(parsingJSON: try await plane.kubectlOK(["get", "--raw", "/apis/batch/v1"]))
        let names = (batch["resources"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        #expect(names == ["cronjobs", "cronjobs/status", "jobs", "jobs/status"])
        let v1 = try JSONValue(parsingJSON: try await plane.kubectlOK(["get", "--raw", "/api/v1"]))
        let podResources = (v1["resources"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            .filter { $0.hasPrefix("pods") }
        #expect(podResources == ["pods", "pods/binding", "pods/eviction", "pods/log", "pods/status"])
        let all = try await plane.kubectlOK(["get", "all", "-A"])
        #expect(!all.contains("error"))
        await plane.stop()
    }

    @Test("a Pod is stored Pending with its QoS class, printed as kube prints it, and its spec is mostly immutable")
    func pods() async throws {
        let plane = try await EmbeddedPlane.start()
        try await plane.kubectlOK(["create", "-f", "-"], stdin: Self.pod)
        let table = try await plane.kubectlOK(["get", "pod", "web"])
        #expect(table.contains("NAME   READY   STATUS    RESTARTS   AGE"))
        #expect(table.contains("web    0/1     Pending   0"))
        let wide = try await plane.kubectlOK(["get", "pod", "web", "-o", "wide"])
        #expect(wide.contains("IP       NODE     NOMINATED NODE   READINESS GATES"))
        let stored = try JSONValue(parsingJSON: try await plane.kubectlOK(["get", "pod", "web", "-o", "json"]))
        #expect(stored["status"] == ["phase": "Pending", "qosClass": "BestEffort"])
        #expect(stored["spec"]?["serviceAccountName"] == "default")
        #expect(stored["spec"]?["enableServiceLinks"] == true)
        #expect(stored["metadata"]?["generation"] == 1)
        // Images may change; containers may not be added; other fields may not change.
        try await plane.kubectlOK(["patch", "pod", "web", "-p", #"{"spec":{"containers":[{"name":"web","image":"nginx:1.28"}]}}"#])
        let added = try await plane.kubectl(["patch", "pod", "web", "--type=json", "-p",
                                             #"[{"op":"add","path":"/spec/containers/-","value":{"name":"x","image":"busybox"}}]"#])
        #expect(added.stderr.contains(#"The Pod "web" is invalid: spec.containers: Forbidden: pod updates may not add or remove containers"#))
        let restart = try await plane.kubectl(["patch", "pod", "web", "-p", #"{"spec":{"restartPolicy":"Never"}}"#])
        #expect(restart.stderr.contains("spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`"))
        let empty = try await plane.kubectl(["create", "-f", "-"], stdin: """
            apiVersion: v1
            kind: Pod
            metadata: {name: empty}
            spec: {containers: []}
            """)
        #expect(empty.stderr.contains(#"The Pod "empty" is invalid: spec.containers: Required value"#))
        // kubectl run sends the Pod as protobuf.
        try await plane.kubectlOK(["run", "po2", "--image=busybox", "--restart=Never"])
        #expect(try await plane.kubectlOK(["get", "pod", "po2", "-o", "jsonpath={.spec.restartPolicy}"]) == "Never")
        await plane.stop()
    }

    @Test("field selectors of Pods: phase, node, restart policy, scheduler, pod IP; unknown ones refused as kube does")
    func podFieldSelectors() async throws {
        let plane = try await EmbeddedPlane.start()
        try await plane.kubectlOK(["create", "-f", "-"], stdin: Self.pod)
        try await plane.kubectlOK(["run", "po2", "--image=busybox", "--restart=Never"])
        try await plane.kubectlOK(["patch", "pod", "po2", "--subresource=status", "--type=merge", "-p",
                                   #"{"status":{"phase":"Running","podIPs":[{"ip":"10.1.2.3"}],"podIP":"10.1.2.3"}}"#])
        func names(_ selector: String) async throws -> String {
            try await plane.kubectlOK(["get", "pods", "--field-selector", selector, "-o", "name"])
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try await names("status.phase=Pending") == "pod/web")
        #expect(try await names("status.phase=Running") == "pod/po2")
        #expect(try await names("spec.restartPolicy=Never") == "pod/po2")
        #expect(try await names("status.podIP=10.1.2.3") == "pod/po2")
        #expect(try await names("spec.nodeName=,spec.schedulerName=default-scheduler") == "pod/po2\npod/web")
        let bad = try await plane.kubectl(["get", "pods", "--field-selector", "spec.bogus=1"])
        #expect(bad.stderr.contains("field label not supported: spec.bogus"))
        let rs = try await plane.kubectl(["get", "rs", "--field-selector", "status.replicas=0"])
        #expect(rs.stderr.contains(#""status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace""#))
        await plane.stop()
    }

    @Test("pods/log answers 204 for a Pod without node and a line saying no containers run once bound; binding and eviction")
    func podSubresources() async throws {
        let plane = try await EmbeddedPlane.start()
        try await plane.kubectlOK(["create", "-f", "-"], stdin: Self.pod)
        let unscheduled = try await plane.kubectl(["logs", "web"])
        #expect(unscheduled.status == 0 && unscheduled.stdout.isEmpty)
        let badContainer = try await plane.kubectl(["logs", "web", "-c", "bogus"])
        #expect(badContainer.stderr.contains("container bogus is not valid for pod web"))
        let binding = #"{"apiVersion":"v1","kind":"Binding","metadata":{"name":"web"},"target":{"kind":"Node","name":"mizzen"}}"#
        let bound = try await plane.kubectlOK(["create", "--raw", "/api/v1/namespaces/default/pods/web/binding", "-f", "-"],
                                              stdin: binding)
        #expect(bound.contains(#""status":"Success""#))
        let pod = try JSONValue(parsingJSON: try await plane.kubectlOK(["get", "pod", "web", "-o", "json"]))
        #expect(pod["spec"]?["nodeName"] == "mizzen")
        #expect(pod["status"]?["conditions"]?[0]?["type"] == "PodScheduled")
        let again = try await plane.kubectl(["create", "--raw", "/api/v1/namespaces/default/pods/web/binding", "-f", "-"],
                                            stdin: binding)
        #expect(again.stderr.contains(#"pod web is already assigned to node \"mizzen\""#) || again.stderr.contains("already assigned"))
        let logs = try await plane.kubectlOK(["logs", "web"])
        #expect(logs.contains("the embedded node runs no containers"))
        let eviction = #"{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"web"}}"#
        try await plane.kubectlOK(["create", "--raw", "/api/v1/namespaces/default/pods/web/eviction", "-f", "-"], stdin: eviction)
        // Bound to a node, the evicted Pod is deleted gracefully, as on kube: with no kubelet here
        // to end its grace period it stays, Terminating.
        let evicted = try JSONValue(parsingJSON: try await plane.kubectlOK(["get", "pod", "web", "-o", "json"]))
        #expect(evicted["metadata"]?["deletionTimestamp"] != nil)
        #expect(evicted["metadata"]?["deletionGracePeriodSeconds"] == 30)
        await plane.stop()
    }

    @Test("a ReplicaSet and a DaemonSet: defaults, status, columns, scale, immutable selector")
    func replicaSetsAndDaemonSets() async throws {
        let plane = try await EmbeddedPlane.start()
        let created = try JSONValue(parsingJSON: try await plane.kubectlOK(["create", "-f", "-", "-o", "json"], stdin: """
            apiVersion: apps/v1
            kind: ReplicaSet
            metadata: {name: rs1}
            spec:
              replicas: 0
              selector: {matchLabels: {app: rs1}}
              template:
                metadata: {labels: {app: rs1}}
                spec: {containers: [{name: c, image: busybox}]}
            """))
        #expect(created["status"] == ["replicas": 0])
        #expect(created["spec"]?["template"]?["spec"]?["containers"]?[0]?["imagePullPolicy"] == "Always")
        let rsTable = try await plane.kubectlOK(["get", "rs", "-o", "wide"])
        #expect(rsTable.contains("NAME   DESIRED   CURRENT   READY   AGE"))
        #expect(rsTable.contains("CONTAINERS   IMAGES    SELECTOR"))
        #expect(rsTable.contains("c            busybox   app=rs1"))
        try await plane.kubectlOK(["scale", "rs", "rs1", "--replicas=3"])
        #expect(try await plane.kubectlOK(["get", "rs", "rs1", "-o", "jsonpath={.spec.replicas}"]) == "3")
        let selector = try await plane.kubectl(["patch", "rs", "rs1", "--type=merge", "-p",
                                                #"{"spec":{"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}}}}}"#])
        #expect(selector.stderr.contains("spec.selector: Invalid value"))
        #expect(selector.stderr.contains("field is immutable"))
        let ds = try JSONValue(parsingJSON: try await plane.kubectlOK(["create", "-f", "-", "-o", "json"], stdin: """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: ds1}
            spec:
              selector: {matchLabels: {app: ds1}}
              template:
                metadata: {labels: {app: ds1}}
                spec: {nodeSelector: {disk: ssd}, containers: [{name: c, image: busybox}]}
            """))
        #expect(ds["metadata"]?["annotations"]?["deprecated.daemonset.template.generation"] == "1")
        #expect(ds["status"] == ["currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 0, "numberReady": 0])
        let dsTable = try await plane.kubectlOK(["get", "ds"])
        #expect(dsTable.contains("NAME   DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE"))
        #expect(dsTable.contains("ds1    0         0         0       0            0           disk=ssd"))
        await plane.stop()
    }

    @Test("a Job gets its generated selector and labels; a CronJob's schedule is checked; create job --from=cronjob works")
    func jobsAndCronJobs() async throws {
        let plane = try await EmbeddedPlane.start()
        let job = try JSONValue(parsingJSON: try await plane.kubectlOK(["create", "-f", "-", "-o", "json"], stdin: """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: job1}
            spec:
              suspend: true
              template:
                spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}
            """))
        let uid = try #require(job["metadata"]?["uid"]?.stringValue)
        #expect(job["spec"]?["selector"] == ["matchLabels": ["batch.kubernetes.io/controller-uid": .string(uid)]])
        #expect(job["metadata"]?["labels"]?["controller-uid"] == .string(uid))
        #expect(job["spec"]?["template"]?["metadata"]?["labels"]?["job-name"] == "job1")
        #expect(job["status"] == .emptyObject)
        let jobTable = try await plane.kubectlOK(["get", "jobs", "-o", "wide"])
        #expect(jobTable.contains("NAME   STATUS    COMPLETIONS   DURATION   AGE"))
        #expect(jobTable.contains("batch.kubernetes.io/controller-uid=\(uid)"))
        let completions = try await plane.kubectl(["patch", "job", "job1", "--type=merge", "-p", #"{"spec":{"completions":3}}"#])
        #expect(completions.stderr.contains("spec.completions: Invalid value: 3: field is immutable"))
        #expect(try await plane.kubectlOK(["get", "jobs", "--field-selector", "status.successful=0", "-o", "name"])
            .contains("job.batch/job1"))
        try await plane.kubectlOK(["create", "job", "gen", "--image=busybox"])
        let badSchedule = try await plane.kubectl(["create", "cronjob", "bad", "--image=busybox", "--schedule=* * * *"])
        #expect(badSchedule.stderr.contains(#"spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]"#))
        try await plane.kubectlOK(["create", "cronjob", "cj1", "--image=busybox", "--schedule=@hourly"])
        let cron = try await plane.kubectlOK(["get", "cj", "-o", "wide"])
        #expect(cron.contains("NAME   SCHEDULE   TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE"))
        #expect(cron.contains("cj1    @hourly    <none>     False     0        <none>"))
        try await plane.kubectlOK(["create", "job", "from-cj", "--from=cronjob/cj1"])
        let fromCron = try JSONValue(parsingJSON: try await plane.kubectlOK(["get", "job", "from-cj", "-o", "json"]))
        #expect(fromCron["metadata"]?["annotations"]?["cronjob.kubernetes.io/instantiate"] == "manual")
        #expect(fromCron["metadata"]?["ownerReferences"]?[0]?["kind"] == "CronJob")
        #expect(fromCron["spec"]?["backoffLimit"] == 6)
        let explain = try await plane.kubectlOK(["explain", "cronjob.spec.timeZone"])
        #expect(explain.contains("timeZone"))
        await plane.stop()
    }
}
