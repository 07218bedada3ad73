import OrderedCollections
import Resources

/// The Table columns of the workload kinds (Pod, ReplicaSet, DaemonSet, Job, CronJob), as
/// kube-apiserver's printers make them, `-o wide` columns at priority 1.
extension TableConverter {
    static func workloadColumns(_ type: ResourceType) -> [Column]? {
        switch (type.group, type.kind) {
        case ("", "Pod"): podColumns
        case ("apps", "ReplicaSet"): replicaSetColumns
        case ("apps", "DaemonSet"): daemonSetColumns
        case ("batch", "Job"): jobColumns
        case ("batch", "CronJob"): cronJobColumns
        default: nil
        }
    }

    // MARK: Pod

    static let podColumns: [Column] = [
        nameColumn,
        Column(name: "Ready", description: "The aggregate readiness state of this pod for accepting traffic.") { object, _ in
            .string(PodSummary(object).ready)
        },
        Column(name: "Status", description: "The aggregate status of the containers in this pod.") { object, _ in
            .string(PodSummary(object).reason)
        },
        Column(name: "Restarts", description: "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.") { object, now in
            .string(PodSummary(object).restarts(now: now))
        },
        ageColumn,
        Column(name: "IP", description: "podIP address allocated to the pod.", field: ("io.k8s.api.core.v1.PodStatus", "podIP"), priority: 1) { object, _ in
            let ip = object.status?["podIPs"]?[0]?["ip"]?.stringValue ?? ""
            return .string(ip.isEmpty ? "<none>" : ip)
        },
        Column(name: "Node", description: "NodeName indicates in which node this pod is scheduled.", field: ("io.k8s.api.core.v1.PodSpec", "nodeName"), priority: 1) { object, _ in
            .string(nonEmpty(object.spec?["nodeName"]?.stringValue))
        },
        Column(name: "Nominated Node", description: "nominatedNodeName is set only when this pod preempts other pods on the node.", field: ("io.k8s.api.core.v1.PodStatus", "nominatedNodeName"), priority: 1) { object, _ in
            .string(nonEmpty(object.status?["nominatedNodeName"]?.stringValue))
        },
        Column(name: "Readiness Gates", description: "If specified, all readiness gates will be evaluated for pod readiness.", field: ("io.k8s.api.core.v1.PodSpec", "readinessGates"), priority: 1) { object, _ in
            let gates = object.spec?["readinessGates"]?.arrayValue ?? []
            if gates.isEmpty { return "<none>" }
            let conditions = object.status?["conditions"]?.arrayValue ?? []
            let passing = gates.filter { gate in
                conditions.first { $0["type"] == gate["conditionType"] }?["status"] == "True"
            }.count
            return .string("\(passing)/\(gates.count)")
        },
    ]

    private static func nonEmpty(_ text: String?) -> String {
        guard let text, !text.isEmpty else { return "<none>" }
        return text
    }

    /// READY, STATUS and RESTARTS of a Pod, worked out as kubectl's pod printer does.
    struct PodSummary {
        var readyContainers = 0
        var totalContainers = 0
        var reason = ""
        var restartCount = 0
        var lastRestart: String?

        var ready: String { "\(readyContainers)/\(totalContainers)" }

        func restarts(now: String) -> String {
            guard restartCount != 0, let lastRestart else { return "\(restartCount)" }
            return "\(restartCount) (\(Timestamps.age(of: lastRestart, now: now)) ago)"
        }

        init(_ pod: Resource) {
            let spec = pod.spec ?? .emptyObject
            let status = pod.status ?? .emptyObject
            let phase = status["phase"]?.stringValue ?? ""
            reason = phase
            if let given = status["reason"]?.stringValue, !given.isEmpty { reason = given }
            let conditions = status["conditions"]?.arrayValue ?? []
            if conditions.contains(where: { $0["type"] == "PodScheduled" && $0["reason"] == "SchedulingGated" }) {
                reason = "SchedulingGated"
            }
            let initSpecs = spec["initContainers"]?.arrayValue ?? []
            func restartable(_ name: String?) -> Bool {
                initSpecs.first { $0["name"]?.stringValue == name }?["restartPolicy"] == "Always"
            }
            totalContainers = (spec["containers"]?.arrayValue ?? []).count + initSpecs.filter { $0["restartPolicy"] == "Always" }.count
            var restartableRestarts = 0
            var restartableLast: String?
            var initializing = false
            func later(_ a: String?, _ b: String?) -> String? {
                guard let b else { return a }
                guard let a else { return b }
                return (Timestamps.secondsSinceEpoch(b) ?? 0) > (Timestamps.secondsSinceEpoch(a) ?? 0) ? b : a
            }
            let initStatuses = status["initContainerStatuses"]?.arrayValue ?? []
            for (index, container) in initStatuses.enumerated() {
                let count = Int(container["restartCount"]?.intValue ?? 0)
                restartCount += count
                let finished = container["lastState"]?["terminated"]?["finishedAt"]?.stringValue
                lastRestart = later(lastRestart, finished)
                let name = container["name"]?.stringValue
                if restartable(name) {
                    restartableRestarts += count
                    restartableLast = later(restartableLast, finished)
                }
                let state = container["state"] ?? .emptyObject
                if let terminated = state["terminated"], terminated["exitCode"]?.intValue == 0 { continue }
                if restartable(name), container["started"]?.boolValue == true {
                    if container["ready"]?.boolValue == true { readyContainers += 1 }
                    continue
                }
                if let terminated = state["terminated"] {
                    if let text = terminated["reason"]?.stringValue, !text.isEmpty {
                        reason = "Init:" + text
                    } else if let signal = terminated["signal"]?.intValue, signal != 0 {
                        reason = "Init:Signal:\(signal)"
                    } else {
                        reason = "Init:ExitCode:\(terminated["exitCode"]?.intValue ?? 0)"
                    }
                } else if let waiting = state["waiting"]?["reason"]?.stringValue, !waiting.isEmpty,
                    waiting != "PodInitializing"
                {
                    reason = "Init:" + waiting
                } else {
                    reason = "Init:\(index)/\(initSpecs.count)"
                }
                initializing = true
                break
            }
            let initialized = conditions.contains { $0["type"] == "Initialized" && $0["status"] == "True" }
            if !initializing || initialized {
                restartCount = restartableRestarts
                lastRestart = restartableLast
                var hasRunning = false
                var errorReason = ""
                for container in (status["containerStatuses"]?.arrayValue ?? []).reversed() {
                    restartCount += Int(container["restartCount"]?.intValue ?? 0)
                    lastRestart = later(lastRestart, container["lastState"]?["terminated"]?["finishedAt"]?.stringValue)
                    let state = container["state"] ?? .emptyObject
                    if let waiting = state["waiting"]?["reason"]?.stringValue, !waiting.isEmpty {
                        reason = waiting
                    } else if let terminated = state["terminated"] {
                        if let text = terminated["reason"]?.stringValue, !text.isEmpty {
                            reason = text
                        } else if let signal = terminated["signal"]?.intValue, signal != 0 {
                            reason = "Signal:\(signal)"
                        } else {
                            reason = "ExitCode:\(terminated["exitCode"]?.intValue ?? 0)"
                        }
                        if (terminated["exitCode"]?.intValue ?? 0) != 0 { errorReason = reason }
                    } else if container["ready"]?.boolValue == true, state["running"] != nil {
                        hasRunning = true
                        readyContainers += 1
                    }
                }
                if reason == "Completed" {
                    let podReady = conditions.contains { $0["type"] == "Ready" && $0["status"] == "True" }
                    if hasRunning, podReady {
                        reason = "Running"
                    } else if !errorReason.isEmpty {
                        reason = errorReason
                    } else if hasRunning {
                        reason = "NotReady"
                    }
                }
            }
            if pod.deletionTimestamp != nil, status["reason"] == "NodeLost" {
                reason = "Unknown"
            } else if pod.deletionTimestamp != nil, phase != "Succeeded", phase != "Failed" {
                reason = "Terminating"
            }
        }
    }

    // MARK: Controllers of pods

    /// CONTAINERS, IMAGES and SELECTOR of a kind whose pod template is at `template`.
    static func templateColumns(
        template: [String], selector: [String], selectorField: (String, String)
    ) -> [Column] {
        @Sendable func containers(_ object: Resource) -> [JSONValue] {
            var value = object.value
            for key in template { value = value[key] ?? .null }
            return value["spec"]?["containers"]?.arrayValue ?? []
        }
        return [
            Column(name: "Containers", description: "Names of each container in the template.", priority: 1) { object, _ in
                .string(containers(object).compactMap { $0["name"]?.stringValue }.joined(separator: ","))
            },
            Column(name: "Images", description: "Images referenced by each container in the template.", priority: 1) { object, _ in
                .string(containers(object).compactMap { $0["image"]?.stringValue }.joined(separator: ","))
            },
            Column(name: "Selector", description: "A label query over pods.", field: selectorField, priority: 1) { object, _ in
                var value = object.value
                for key in selector { value = value[key] ?? .null }
                return .string(formatSelector(value.isNull ? nil : value))
            },
        ]
    }

    private static func count(_ object: Resource, _ path: String...) -> JSONValue {
        var value = object.value
        for key in path { value = value[key] ?? .null }
        return .int(value.intValue ?? 0)
    }

    static let replicaSetColumns: [Column] = [
        nameColumn,
        Column(name: "Desired", type: "integer", description: "Replicas is the number of desired pods.", field: ("io.k8s.api.apps.v1.ReplicaSetSpec", "replicas")) { object, _ in
            count(object, "spec", "replicas")
        },
        Column(name: "Current", type: "integer", description: "Replicas is the most recently observed number of non-terminating pods.", field: ("io.k8s.api.apps.v1.ReplicaSetStatus", "replicas")) { object, _ in
            count(object, "status", "replicas")
        },
        Column(name: "Ready", type: "integer", description: "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.", field: ("io.k8s.api.apps.v1.ReplicaSetStatus", "readyReplicas")) { object, _ in
            count(object, "status", "readyReplicas")
        },
        ageColumn,
    ] + templateColumns(template: ["spec", "template"], selector: ["spec", "selector"],
                        selectorField: ("io.k8s.api.apps.v1.ReplicaSetSpec", "selector"))

    static let daemonSetColumns: [Column] = [
        nameColumn,
        Column(name: "Desired", type: "integer", description: "The total number of nodes that should be running the daemon pod.", field: ("io.k8s.api.apps.v1.DaemonSetStatus", "desiredNumberScheduled")) { object, _ in
            count(object, "status", "desiredNumberScheduled")
        },
        Column(name: "Current", type: "integer", description: "The number of nodes that are running at least 1 daemon pod.", field: ("io.k8s.api.apps.v1.DaemonSetStatus", "currentNumberScheduled")) { object, _ in
            count(object, "status", "currentNumberScheduled")
        },
        Column(name: "Ready", type: "integer", description: "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.", field: ("io.k8s.api.apps.v1.DaemonSetStatus", "numberReady")) { object, _ in
            count(object, "status", "numberReady")
        },
        Column(name: "Up-to-date", type: "integer", description: "The total number of nodes that are running updated daemon pod", field: ("io.k8s.api.apps.v1.DaemonSetStatus", "updatedNumberScheduled")) { object, _ in
            count(object, "status", "updatedNumberScheduled")
        },
        Column(name: "Available", type: "integer", description: "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.", field: ("io.k8s.api.apps.v1.DaemonSetStatus", "numberAvailable")) { object, _ in
            count(object, "status", "numberAvailable")
        },
        Column(name: "Node Selector", description: "NodeSelector is a selector which must be true for the pod to fit on a node.", field: ("io.k8s.api.core.v1.PodSpec", "nodeSelector")) { object, _ in
            let selector = object.spec?["template"]?["spec"]?["nodeSelector"]?.objectValue ?? [:]
            if selector.isEmpty { return "<none>" }
            return .string(selector.keys.sorted().map { "\($0)=\(selector[$0]?.stringValue ?? "")" }.joined(separator: ","))
        },
        ageColumn,
    ] + templateColumns(template: ["spec", "template"], selector: ["spec", "selector"],
                        selectorField: ("io.k8s.api.apps.v1.DaemonSetSpec", "selector"))

    static let jobColumns: [Column] = [
        nameColumn,
        Column(name: "Status", description: "Status of the job.") { object, _ in
            let conditions = object.status?["conditions"]?.arrayValue ?? []
            func has(_ type: String) -> Bool {
                conditions.contains { $0["type"]?.stringValue == type && $0["status"] == "True" }
            }
            if has("Complete") { return "Complete" }
            if has("Failed") { return "Failed" }
            if object.deletionTimestamp != nil { return "Terminating" }
            if has("Suspended") { return "Suspended" }
            if has("FailureTarget") { return "FailureTarget" }
            if has("SuccessCriteriaMet") { return "SuccessCriteriaMet" }
            return "Running"
        },
        Column(name: "Completions", description: "The number of pods which reached phase Succeeded.", field: ("io.k8s.api.batch.v1.JobStatus", "succeeded")) { object, _ in
            let succeeded = object.status?["succeeded"]?.intValue ?? 0
            if let completions = object.spec?["completions"]?.intValue { return .string("\(succeeded)/\(completions)") }
            let parallelism = object.spec?["parallelism"]?.intValue ?? 0
            return .string(parallelism > 1 ? "\(succeeded)/1 of \(parallelism)" : "\(succeeded)/1")
        },
        Column(name: "Duration", description: "Time required to complete the job.") { object, now in
            guard let start = object.status?["startTime"]?.stringValue else { return "" }
            guard let end = object.status?["completionTime"]?.stringValue else {
                return .string(Timestamps.age(of: start, now: now))
            }
            return .string(Timestamps.age(of: start, now: end))
        },
        ageColumn,
    ] + templateColumns(template: ["spec", "template"], selector: ["spec", "selector"],
                        selectorField: ("io.k8s.api.batch.v1.JobSpec", "selector"))

    static let cronJobColumns: [Column] = [
        nameColumn,
        Column(name: "Schedule", description: "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.", field: ("io.k8s.api.batch.v1.CronJobSpec", "schedule")) { object, _ in
            .string(object.spec?["schedule"]?.stringValue ?? "")
        },
        Column(name: "Timezone", description: "The time zone name for the given schedule.", field: ("io.k8s.api.batch.v1.CronJobSpec", "timeZone")) { object, _ in
            .string(nonEmptyOrNone(object.spec?["timeZone"]))
        },
        Column(name: "Suspend", type: "boolean", description: "This flag tells the controller to suspend subsequent executions.", field: ("io.k8s.api.batch.v1.CronJobSpec", "suspend")) { object, _ in
            switch object.spec?["suspend"]?.boolValue {
            case true?: "True"
            case false?: "False"
            case nil: "<unset>"
            }
        },
        Column(name: "Active", type: "integer", description: "A list of pointers to currently running jobs.", field: ("io.k8s.api.batch.v1.CronJobStatus", "active")) { object, _ in
            .int(Int64(object.status?["active"]?.arrayValue?.count ?? 0))
        },
        Column(name: "Last Schedule", description: "Information when was the last time the job was successfully scheduled.", field: ("io.k8s.api.batch.v1.CronJobStatus", "lastScheduleTime")) { object, now in
            guard let last = object.status?["lastScheduleTime"]?.stringValue else { return "<none>" }
            return .string(Timestamps.age(of: last, now: now))
        },
        ageColumn,
    ] + templateColumns(template: ["spec", "jobTemplate", "spec", "template"],
                        selector: ["spec", "jobTemplate", "spec", "selector"],
                        selectorField: ("io.k8s.api.batch.v1.JobSpec", "selector"))

    /// A set string as it is, `<none>` when missing (`timeZone` is a pointer in Go).
    private static func nonEmptyOrNone(_ value: JSONValue?) -> String {
        guard let text = value?.stringValue else { return "<none>" }
        return text
    }
}
