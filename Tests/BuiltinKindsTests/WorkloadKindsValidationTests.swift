import Foundation
import OrderedCollections
import BuiltinKinds
import Resources
import Testing

/// Defaults and validation of the workload kinds (Pod, ReplicaSet, DaemonSet, Job, CronJob), with
/// the values, field paths and messages kube-apiserver gives the same objects.
@Suite("Workload kinds' defaults and validation")
struct WorkloadKindsValidationTests {
    func defaulted(_ text: String, old: Resource? = nil, uid: String? = nil) throws -> Resource {
        var object = try Resource(json(text))
        if let uid { object.uid = uid }
        BuiltinKinds.applyDefaults(&object, kind: object.groupVersionKind, old: old)
        return object
    }

    func causes(_ text: String, old: String? = nil) throws -> [String] {
        var previous: Resource?
        if let old { previous = try defaulted(old, uid: "u-1") }
        var object = try Resource(json(text))
        object.uid = "u-1"
        BuiltinKinds.applyDefaults(&object, kind: object.groupVersionKind, old: previous)
        return BuiltinKinds.validationCauses(object, old: previous, kind: object.groupVersionKind)
            .map { "\($0.field): \($0.message)" }
    }

    static let pod = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}"#

    @Test("a new Pod gets the defaults and admission values kube-apiserver gives it, and a QoS class")
    func podDefaults() throws {
        let pod = try defaulted(Self.pod)
        let spec = try #require(pod.spec)
        #expect(spec["enableServiceLinks"] == true)
        #expect(spec["serviceAccountName"] == "default" && spec["serviceAccount"] == "default")
        #expect(spec["priority"] == 0 && spec["preemptionPolicy"] == "PreemptLowerPriority")
        #expect(spec["tolerations"]?.arrayValue?.count == 2)
        #expect(spec["tolerations"]?[0]?["tolerationSeconds"] == 300)
        #expect(spec["containers"]?[0]?["imagePullPolicy"] == "IfNotPresent")
        #expect(pod.status?["qosClass"] == "BestEffort")
        // Defaulting twice changes nothing.
        var again = pod
        BuiltinKinds.applyDefaults(&again, kind: pod.groupVersionKind)
        #expect(again == pod)
    }

    @Test("QoS class: limits copied to requests make a Guaranteed pod; requests alone a Burstable one")
    func qosClasses() throws {
        let guaranteed = try defaulted(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"g"},"spec":{"containers":[{"name":"c","image":"x","resources":{"limits":{"cpu":"1","memory":"1Gi"}}}]}}"#)
        #expect(guaranteed.status?["qosClass"] == "Guaranteed")
        #expect(guaranteed.spec?["containers"]?[0]?["resources"]?["requests"]?["cpu"] == "1")
        let burstable = try defaulted(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"b"},"spec":{"containers":[{"name":"c","image":"x","resources":{"requests":{"cpu":"100m"}}}]}}"#)
        #expect(burstable.status?["qosClass"] == "Burstable")
    }

    @Test("a Pod update may change images, lower the deadline and add tolerations, nothing else")
    func podUpdate() throws {
        let stored = try defaulted(Self.pod)
        func update(_ change: (inout Resource) -> Void) -> [String] {
            var new = stored
            change(&new)
            BuiltinKinds.applyDefaults(&new, kind: new.groupVersionKind, old: stored)
            return BuiltinKinds.validationCauses(new, old: stored, kind: new.groupVersionKind)
                .map { "\($0.field): \($0.message)" }
        }
        let image = update { pod in
            var containers = pod.spec?["containers"]?.arrayValue ?? []
            containers[0]["image"] = "nginx:1.28"
            pod.spec?["containers"] = .array(containers)
        }
        #expect(image.isEmpty)
        let deadline = update { $0.spec?["activeDeadlineSeconds"] = 60 }
        #expect(deadline.isEmpty)
        let toleration = update { pod in
            let tolerations = pod.spec?["tolerations"]?.arrayValue ?? []
            pod.spec?["tolerations"] = .array(tolerations + [["key": "a", "operator": "Exists"]])
        }
        #expect(toleration.isEmpty)
        let restart = update { $0.spec?["restartPolicy"] = "Never" }
        #expect(restart.count == 1)
        #expect(restart.first?.hasPrefix("spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`") == true)
        #expect(restart.first?.contains("spec.restartPolicy") == true)
        let added = update { pod in
            let containers = pod.spec?["containers"]?.arrayValue ?? []
            pod.spec?["containers"] = .array(containers + [["name": "x", "image": "busybox"]])
        }
        #expect(added == ["spec.containers: Forbidden: pod updates may not add or remove containers"])
        let removed = update { $0.spec?["tolerations"] = [] }
        #expect(removed == ["spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"])
    }

    @Test("a Pod without containers or with ephemeral containers on create is refused")
    func podCreate() throws {
        let empty = try causes(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{}}"#)
        #expect(empty == ["spec.containers: Required value"])
        let ephemeral = try causes(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"x"}],"ephemeralContainers":[{"name":"d","image":"x"}]}}"#)
        #expect(ephemeral.contains("spec.ephemeralContainers: Forbidden: cannot be set on create"))
    }

    @Test("a ReplicaSet without selector, restarting Never, with a deadline: kube's four causes")
    func replicaSetCauses() throws {
        let found = try causes(#"{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"bad"},"spec":{"template":{"metadata":{"labels":{"a":"b"}},"spec":{"restartPolicy":"Never","activeDeadlineSeconds":5,"containers":[{"name":"c","image":"x"}]}}}}"#)
        #expect(found == [
            "spec.selector: Required value",
            #"spec.template.metadata.labels: Invalid value: {"a":"b"}: `selector` does not match template `labels`"#,
            #"spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always""#,
            "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported",
        ])
    }

    @Test("a DaemonSet gets its strategy and template generation; without selector kube's three causes")
    func daemonSet() throws {
        let text = #"{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"ds"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}}"#
        let created = try defaulted(text)
        #expect(created.annotations["deprecated.daemonset.template.generation"] == "1")
        #expect(created.spec?["updateStrategy"] == ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 1, "maxSurge": 0]])
        #expect(created.spec?["revisionHistoryLimit"] == 10)
        let changed = try defaulted(text.replacingOccurrences(of: #""image":"x""#, with: #""image":"y""#), old: created)
        #expect(changed.annotations["deprecated.daemonset.template.generation"] == "2")
        let found = try causes(#"{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"bad"},"spec":{"template":{"metadata":{"labels":{"a":"b"}},"spec":{"restartPolicy":"Never","activeDeadlineSeconds":5,"containers":[{"name":"c","image":"x"}]}}}}"#)
        #expect(found == [
            #"spec.template.metadata.labels: Invalid value: {"a":"b"}: `selector` does not match template `labels`"#,
            #"spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always""#,
            "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported",
        ])
    }

    static let job = #"{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"job1"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}"#

    @Test("a new Job gets its defaults, a selector on its uid and the four labels, which it also takes")
    func jobDefaults() throws {
        let job = try defaulted(Self.job, uid: "1234")
        let spec = try #require(job.spec)
        #expect(spec["completions"] == 1 && spec["parallelism"] == 1 && spec["backoffLimit"] == 6)
        #expect(spec["completionMode"] == "NonIndexed" && spec["suspend"] == false && spec["manualSelector"] == false)
        #expect(spec["podReplacementPolicy"] == "TerminatingOrFailed")
        #expect(spec["selector"] == ["matchLabels": ["batch.kubernetes.io/controller-uid": "1234"]])
        let labels = spec["template"]?["metadata"]?["labels"]
        #expect(labels == ["batch.kubernetes.io/controller-uid": "1234", "batch.kubernetes.io/job-name": "job1",
                           "controller-uid": "1234", "job-name": "job1"])
        #expect(job.labels["job-name"] == "job1")
        #expect(BuiltinKinds.validationCauses(job, old: nil, kind: job.groupVersionKind).isEmpty)
    }

    @Test("a Job: negative parallelism and no restart policy; on update its template and selector are frozen")
    func jobCauses() throws {
        let bad = try causes(#"{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"bad"},"spec":{"parallelism":-1,"template":{"spec":{"containers":[{"name":"c","image":"x"}]}}}}"#)
        #expect(bad == [
            "spec.parallelism: Invalid value: -1: must be greater than or equal to 0",
            #"spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never""#,
        ])
        var old = try defaulted(Self.job, uid: "u-1")
        var new = old
        new.spec?["template"]?["spec"]?["containers"] = [["name": "c", "image": "busybox:2"]]
        BuiltinKinds.applyDefaults(&new, kind: new.groupVersionKind, old: old)
        let frozen = BuiltinKinds.validationCauses(new, old: old, kind: new.groupVersionKind)
        #expect(frozen.map(\.field) == ["spec.template"])
        // A suspended Job that never started may change its template's scheduling directives.
        old.spec?["suspend"] = true
        new = old
        new.spec?["template"]?["spec"]?["nodeSelector"] = ["disk": "ssd"]
        #expect(BuiltinKinds.validationCauses(new, old: old, kind: new.groupVersionKind).isEmpty)
    }

    @Test("a CronJob: defaults; bad schedule, time zone, policy and restart policy as kube words them")
    func cronJob() throws {
        let good = try defaulted(#"{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"cj"},"spec":{"schedule":"*/5 * * * *","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"x"}]}}}}}}"#)
        #expect(good.spec?["concurrencyPolicy"] == "Allow" && good.spec?["suspend"] == false)
        #expect(good.spec?["successfulJobsHistoryLimit"] == 3 && good.spec?["failedJobsHistoryLimit"] == 1)
        #expect(good.spec?["jobTemplate"]?["spec"]?["backoffLimit"] == nil)
        #expect(good.spec?["jobTemplate"]?["metadata"] == .emptyObject)
        #expect(BuiltinKinds.validationCauses(good, old: nil, kind: good.groupVersionKind).isEmpty)
        let bad = try causes(#"{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"bad"},"spec":{"schedule":"* * * *","timeZone":"Mars/Base","jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"x"}]}}}}}}"#)
        #expect(bad == [
            #"spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]"#,
            #"spec.timeZone: Invalid value: "Mars/Base": unknown time zone Mars/Base"#,
            #"spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never""#,
        ])
        let tz = try causes(#"{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"bad"},"spec":{"schedule":"TZ=UTC 0 * * * *","concurrencyPolicy":"Sometimes","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"x"}]}}}}}}"#)
        #expect(tz == [
            #"spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead"#,
            #"spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace""#,
        ])
    }

    @Test("cron schedules: descriptors, names, ranges and steps parse; kube's messages for the rest")
    func cronSchedules() throws {
        for good in ["@hourly", "@daily", "@every 1h30m", "0 9 * * mon-fri", "*/15 0-6,22-23 1 JAN,jul ?", "TZ=Europe/Paris 0 * * * *"] {
            #expect(throws: Never.self, "\(good)") { try CronSchedule(good) }
        }
        #expect(try CronSchedule("*/20 * * * *").minutes == [0, 20, 40])
        #expect(try CronSchedule("@weekly").daysOfWeek == [0])
        let messages: [(String, String)] = [
            ("60 * * * *", "end of range (60) above maximum (59): 60"),
            ("a * * * *", #"failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax"#),
            ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
            ("*/0 * * * *", "step of range should be a positive number: */0"),
            ("* * 0 * *", "beginning of range (0) below minimum (1): 0"),
            ("@fortnightly", "unrecognized descriptor: @fortnightly"),
            ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
        ]
        for (schedule, message) in messages {
            #expect(throws: CronSchedule.ParseError(description: message)) { try CronSchedule(schedule) }
        }
    }
}

extension WorkloadKindsValidationTests {
    @Test("status writes: a ReplicaSet's counts bounded by its replicas, a DaemonSet's not negative, a Pod's phase free")
    func statusWrites() throws {
        var rs = try Resource(json(#"{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"rs"},"status":{"replicas":1,"readyReplicas":2,"availableReplicas":2}}"#))
        let rsCauses = BuiltinKinds.statusValidationCauses(rs, kind: rs.groupVersionKind).map { "\($0.field): \($0.message)" }
        #expect(rsCauses == [
            "status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas",
            "status.availableReplicas: Invalid value: 2: cannot be greater than status.replicas",
        ])
        rs.status = ["replicas": 2, "readyReplicas": 1, "availableReplicas": 2]
        #expect(BuiltinKinds.statusValidationCauses(rs, kind: rs.groupVersionKind).map(\.message)
            == ["Invalid value: 2: cannot be greater than readyReplicas"])
        let ds = try Resource(json(#"{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"ds"},"status":{"numberReady":-1}}"#))
        #expect(BuiltinKinds.statusValidationCauses(ds, kind: ds.groupVersionKind).map(\.field) == ["status.numberReady"])
        // kube-apiserver checks no phase: a status writer may set any.
        let pod = try Resource(json(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"status":{"phase":"Sleeping"}}"#))
        #expect(BuiltinKinds.statusValidationCauses(pod, kind: pod.groupVersionKind).isEmpty)
    }
}
