import ControllerRuntime
import Foundation
import OrderedCollections
import Resources

/// The simulated life of one Pod on the node, as a pure function of its spec, its knobs
/// (``PodKnobs``), the time the kubelet first saw it and the time now: what kubelet would
/// report at that moment, and when that changes next.
///
/// The timeline, in steps of ``Timing/step``: first sight (containers `ContainerCreating`, or
/// `PodInitializing` with init containers); the sandbox is ready and the first init container
/// runs, each for one step, to completion; then every container is pulled, created and started
/// at once (`Running`), ready after its readiness probe's `initialDelaySeconds`. A container
/// that exits (knobs, or a Job's Pod) is restarted as `restartPolicy` says, after kubelet's
/// back-off (none the first time, then `backOff` doubling to `maximumBackOff`); an image that
/// never pulls alternates `ErrImagePull` (one step) and `ImagePullBackOff` (the pull back-off).
///
/// Being deterministic, the same Pod always has the same history: a restarted plane carries on.
struct PodSimulation {
    /// The durations of the timeline, in seconds.
    struct Timing: Sendable, Hashable {
        var step: Double
        var jobRun: Double
        var crashAfter: Double
        var backOff: Double
        var maximumBackOff: Double

        init(_ options: NodeOptions) {
            func seconds(_ duration: Duration) -> Double {
                Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            }
            step = max(0.01, seconds(options.stepDuration))
            jobRun = max(0.01, seconds(options.jobRunDuration))
            crashAfter = max(0.01, seconds(options.crashAfter))
            backOff = max(0.01, seconds(options.backOff))
            maximumBackOff = max(backOff, seconds(options.maximumBackOff))
        }

        /// The back-off after the `attempt`th failure (0-based): `backOff`, doubling, at most `maximumBackOff`.
        func backOff(after attempt: Int) -> Double {
            min(maximumBackOff, backOff * pow(2, Double(min(attempt, 30))))
        }
    }

    /// How one container behaves.
    struct ContainerPlan: Sendable, Hashable {
        var name: String
        var image: ImageReference
        var pullPolicy: String
        var isInit: Bool
        /// An init container with `restartPolicy: Always` (a sidecar): runs beside the others.
        var isSidecar: Bool
        /// How long it runs before it exits; `nil`: until stopped.
        var runFor: Double?
        var exitCode: Int
        /// Whether it is started again after it exits.
        var restarts: Bool
        var readyDelay: Double
        var neverReady: Bool
    }

    /// What one container is doing at a moment.
    struct ContainerView: Sendable, Hashable {
        enum State: Sendable, Hashable {
            case waiting(reason: String, message: String?)
            case running(since: Date)
            case terminated(Exit)
        }

        /// One run that ended.
        struct Exit: Sendable, Hashable {
            var code: Int
            var startedAt: Date
            var finishedAt: Date
            var containerID: String
            var reason: String { code == 0 ? "Completed" : "Error" }
        }

        var state: State
        var lastExit: Exit?
        var restartCount: Int
        var ready: Bool
        /// The id of the current (or last) container; `nil` before the first is created.
        var containerID: String?
        /// Whether the image was pulled (the runtime's image and `imageID` are known).
        var pulled: Bool
        /// When this view stops being true; `nil`: never.
        var changesAt: Date?

        var isRunning: Bool { if case .running = state { true } else { false } }
        var exit: Exit? { if case .terminated(let exit) = state { exit } else { nil } }
        var waitingReason: String? { if case .waiting(let reason, _) = state { reason } else { nil } }
        /// Has run at least once (running, exited, or waiting to restart).
        var hasRun: Bool { isRunning || exit != nil || lastExit != nil }
    }

    let pod: Resource
    let timing: Timing
    /// When the kubelet first saw the Pod (its `startTime`).
    let start: Date
    let plans: [ContainerPlan]

    init(pod: Resource, timing: Timing, start: Date) {
        self.pod = pod
        self.timing = timing
        self.start = start
        self.plans = Self.plans(of: pod, timing: timing)
    }

    var restartPolicy: String { pod.spec?["restartPolicy"]?.stringValue ?? "Always" }
    var initPlans: [ContainerPlan] { plans.filter(\.isInit) }
    var regularPlans: [ContainerPlan] { plans.filter { !$0.isInit } }
    /// When the sandbox (and the Pod's IP) is ready.
    var sandboxReady: Date { start.addingTimeInterval(timing.step) }

    static func plans(of pod: Resource, timing: Timing) -> [ContainerPlan] {
        let spec = pod.spec ?? .emptyObject
        let knobs = PodKnobs(pod)
        let policy = spec["restartPolicy"]?.stringValue ?? "Always"
        var plans: [ContainerPlan] = []
        for container in spec["initContainers"]?.arrayValue ?? [] {
            let name = container["name"]?.stringValue ?? ""
            let sidecar = container["restartPolicy"]?.stringValue == "Always"
            plans.append(ContainerPlan(
                name: name, image: ImageReference(container["image"]?.stringValue ?? ""),
                pullPolicy: container["imagePullPolicy"]?.stringValue ?? "IfNotPresent", isInit: true,
                isSidecar: sidecar, runFor: sidecar ? nil : timing.step, exitCode: 0, restarts: sidecar,
                readyDelay: readyDelay(container), neverReady: knobs.neverReady(name)))
        }
        for container in spec["containers"]?.arrayValue ?? [] {
            let name = container["name"]?.stringValue ?? ""
            var runFor: Double? = policy == "Always" ? nil : timing.jobRun
            var exitCode = knobs.exitCode ?? 0
            if let seconds = knobs.runSeconds { runFor = seconds }
            if knobs.crashLoops(name) {
                runFor = knobs.runSeconds ?? timing.crashAfter
                if exitCode == 0 { exitCode = 1 }
            }
            plans.append(ContainerPlan(
                name: name, image: ImageReference(container["image"]?.stringValue ?? ""),
                pullPolicy: container["imagePullPolicy"]?.stringValue ?? "IfNotPresent", isInit: false,
                isSidecar: false, runFor: runFor.map { max(0.01, $0) }, exitCode: exitCode,
                restarts: policy == "Always" || (policy == "OnFailure" && exitCode != 0),
                readyDelay: readyDelay(container), neverReady: knobs.neverReady(name)))
        }
        return plans
    }

    /// The readiness probe's `initialDelaySeconds`; 0 without a probe.
    static func readyDelay(_ container: JSONValue) -> Double {
        Double(container["readinessProbe"]?["initialDelaySeconds"]?.intValue ?? 0)
    }

    // MARK: The timeline

    /// Every container at `now`, init containers first, in spec order.
    func views(at now: Date) -> [ContainerView] {
        let hasInit = !initPlans.isEmpty
        var views: [ContainerView] = []
        var next: Date? = sandboxReady
        for plan in initPlans {
            let view = self.view(of: plan, beginning: next, at: now, waitingReason: "PodInitializing")
            views.append(view)
            guard let begin = next, now >= begin, view.pulled else {
                next = nil
                continue
            }
            // A sidecar lets the next one start once it runs; an init container once it completed.
            next = plan.isSidecar ? begin : view.exit.map { _ in begin.addingTimeInterval(plan.runFor ?? 0) }
            if plan.isSidecar, !view.hasRun { next = nil }
        }
        for plan in regularPlans {
            views.append(view(of: plan, beginning: next, at: now,
                              waitingReason: hasInit ? "PodInitializing" : "ContainerCreating"))
        }
        return views
    }

    /// The container of `plan` at `now`, its pull and first start at `begin` (`nil`: not yet known).
    func view(of plan: ContainerPlan, beginning begin: Date?, at now: Date, waitingReason: String) -> ContainerView {
        guard let begin, now >= begin else {
            return ContainerView(state: .waiting(reason: waitingReason, message: nil), restartCount: 0, ready: false,
                                 pulled: false, changesAt: begin)
        }
        if plan.image.neverPulls {
            var attempt = 0
            var at = begin
            while now >= at.addingTimeInterval(timing.backOff(after: attempt)) {
                at = at.addingTimeInterval(timing.backOff(after: attempt))
                attempt += 1
            }
            let failedUntil = at.addingTimeInterval(min(timing.step, timing.backOff(after: attempt)))
            let error = plan.image.pullError
            if now < failedUntil {
                return ContainerView(state: .waiting(reason: "ErrImagePull", message: error), restartCount: 0,
                                     ready: false, pulled: false, changesAt: failedUntil)
            }
            return ContainerView(
                state: .waiting(reason: "ImagePullBackOff",
                                message: "Back-off pulling image \"\(plan.image.original)\": ErrImagePull: \(error)"),
                restartCount: 0, ready: false, pulled: false,
                changesAt: at.addingTimeInterval(timing.backOff(after: attempt)))
        }
        var run = 0
        var startedAt = begin
        var lastExit: ContainerView.Exit?
        while true {
            let id = containerID(plan.name, run: run)
            guard let runFor = plan.runFor, now >= startedAt.addingTimeInterval(runFor) else {
                let readyAt = startedAt.addingTimeInterval(plan.readyDelay)
                let ready = !plan.neverReady && now >= readyAt
                var changesAt = plan.runFor.map { startedAt.addingTimeInterval($0) }
                if !ready, !plan.neverReady { changesAt = min(changesAt ?? readyAt, readyAt) }
                return ContainerView(state: .running(since: startedAt), lastExit: lastExit, restartCount: run,
                                     ready: ready, containerID: id, pulled: true, changesAt: changesAt)
            }
            let finishedAt = startedAt.addingTimeInterval(runFor)
            let exit = ContainerView.Exit(code: plan.exitCode, startedAt: startedAt, finishedAt: finishedAt, containerID: id)
            guard plan.restarts else {
                // A completed init container counts as ready.
                return ContainerView(state: .terminated(exit), lastExit: lastExit, restartCount: run,
                                     ready: plan.isInit && exit.code == 0, containerID: id, pulled: true, changesAt: nil)
            }
            // Kubelet restarts at once after the first exit, then backs off.
            let wait = run == 0 ? timing.step : timing.backOff(after: run - 1)
            let restartAt = finishedAt.addingTimeInterval(wait)
            if now < restartAt {
                if run == 0 {
                    return ContainerView(state: .terminated(exit), lastExit: nil, restartCount: 0, ready: false,
                                         containerID: id, pulled: true, changesAt: restartAt)
                }
                let message = "back-off \(GoDuration.format(wait)) restarting failed container=\(plan.name) "
                    + "pod=\(podDescription)"
                return ContainerView(state: .waiting(reason: "CrashLoopBackOff", message: message), lastExit: exit,
                                     restartCount: run, ready: false, containerID: id, pulled: true,
                                     changesAt: restartAt)
            }
            lastExit = exit
            startedAt = restartAt
            run += 1
        }
    }

    /// `name_namespace(uid)`, as kubelet names a Pod in messages.
    var podDescription: String { "\(pod.name)_\(pod.namespace ?? "default")(\(pod.uid ?? ""))" }

    /// The id of the `run`th container of `name`: `mizzen://` and 64 hex digits.
    func containerID(_ name: String, run: Int) -> String {
        "mizzen://" + ImageReference.stableHex("\(pod.uid ?? pod.name)/\(name)/\(run)")
    }

    // MARK: Phase

    /// Kubelet's phase for `views` (its `getPhase`).
    func phase(of views: [ContainerView]) -> String {
        let inits = zip(initPlans, views.prefix(initPlans.count))
        let initialized = inits.allSatisfy { plan, view in
            plan.isSidecar ? view.hasRun : (view.exit?.code == 0)
        }
        guard initialized else { return "Pending" }
        var waiting = 0, running = 0, stopped = 0, failed = 0
        for view in views.suffix(regularPlans.count) {
            if view.isRunning {
                running += 1
            } else if let exit = view.exit {
                stopped += 1
                if exit.code != 0 { failed += 1 }
            } else if let last = view.lastExit {
                stopped += 1
                if last.code != 0 { failed += 1 }
            } else {
                waiting += 1
            }
        }
        if waiting > 0 { return "Pending" }
        if running > 0 { return "Running" }
        switch restartPolicy {
        case "Never": return failed > 0 ? "Failed" : "Succeeded"
        case "OnFailure": return failed > 0 ? "Running" : "Succeeded"
        default: return "Running"
        }
    }

    // MARK: Status

    /// The status kubelet writes at `now`: `current` is the Pod's status now (conditions keep
    /// their transition times; conditions kubelet does not own stay, first); `podIP` is the
    /// Pod's address once the sandbox is ready.
    func status(at now: Date, current: JSONValue?, hostIP: String, podIP: String?) -> JSONObject {
        let views = views(at: now)
        let currentPhase = current?["phase"]?.stringValue
        var phase = phase(of: views)
        if currentPhase == "Succeeded" || currentPhase == "Failed" { phase = currentPhase! }
        return status(views: views, phase: phase, at: now, current: current, hostIP: hostIP, podIP: podIP)
    }

    /// The status for `views` in `phase`.
    func status(
        views: [ContainerView], phase: String, at now: Date, current: JSONValue?, hostIP: String, podIP: String?
    ) -> JSONObject {
        let terminal = phase == "Succeeded" || phase == "Failed"
        let timestamp = KubernetesTime.time(now)
        let previous = current?["conditions"]?.arrayValue ?? []
        let generation = pod.generation

        func condition(_ type: String, _ isTrue: Bool, reason: String? = nil, message: String? = nil) -> JSONValue {
            let old = previous.first { $0["type"]?.stringValue == type }
            let status = isTrue ? "True" : "False"
            var members: JSONObject = ["type": .string(type)]
            if let generation { members["observedGeneration"] = .int(generation) }
            members["status"] = .string(status)
            members["lastProbeTime"] = .null
            members["lastTransitionTime"] = .string(
                old?["status"]?.stringValue == status ? old?["lastTransitionTime"]?.stringValue ?? timestamp : timestamp)
            if let reason { members["reason"] = .string(reason) }
            if let message, !message.isEmpty { members["message"] = .string(message) }
            return .object(members)
        }

        let initViews = Array(views.prefix(initPlans.count))
        let regularViews = Array(views.suffix(regularPlans.count))
        var conditions = previous.filter { condition in
            !["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
                .contains(condition["type"]?.stringValue ?? "")
        }
        conditions.append(condition("PodReadyToStartContainers", !terminal && now >= sandboxReady))

        let incomplete = zip(initPlans, initViews).filter { plan, view in
            plan.isSidecar ? !view.hasRun : view.exit?.code != 0
        }.map(\.0.name)
        if phase == "Succeeded" {
            conditions.append(condition("Initialized", true, reason: "PodCompleted"))
        } else if incomplete.isEmpty || regularViews.contains(where: \.hasRun) {
            conditions.append(condition("Initialized", true))
        } else {
            conditions.append(condition("Initialized", false, reason: "ContainersNotInitialized",
                                        message: "containers with incomplete status: [\(incomplete.joined(separator: " "))]"))
        }

        let unready = zip(plans, views).filter { plan, view in
            (!plan.isInit || plan.isSidecar) && !view.ready
        }.map(\.0.name)
        let containersReady: JSONValue
        let ready: JSONValue
        if terminal {
            let reason = phase == "Succeeded" ? "PodCompleted" : "PodFailed"
            containersReady = condition("ContainersReady", false, reason: reason)
            ready = condition("Ready", false, reason: reason)
        } else if !unready.isEmpty {
            let message = "containers with unready status: [\(unready.joined(separator: " "))]"
            containersReady = condition("ContainersReady", false, reason: "ContainersNotReady", message: message)
            ready = condition("Ready", false, reason: "ContainersNotReady", message: message)
        } else {
            containersReady = condition("ContainersReady", true)
            let gates = (pod.spec?["readinessGates"]?.arrayValue ?? []).compactMap { $0["conditionType"]?.stringValue }
            let unmet = gates.compactMap { gate -> String? in
                guard let found = previous.first(where: { $0["type"]?.stringValue == gate }) else {
                    return "corresponding condition of pod readiness gate \"\(gate)\" does not exist."
                }
                let status = found["status"]?.stringValue ?? ""
                return status == "True" ? nil : "the status of pod readiness gate \"\(gate)\" is not \"True\", but \(status)"
            }
            ready = unmet.isEmpty ? condition("Ready", true)
                : condition("Ready", false, reason: "ReadinessGatesNotReady", message: unmet.joined(separator: ", "))
        }
        conditions.append(ready)
        conditions.append(containersReady)
        conditions.append(condition("PodScheduled", true))

        var status: JSONObject = [:]
        if let generation { status["observedGeneration"] = .int(generation) }
        status["phase"] = .string(phase)
        status["conditions"] = .array(conditions)
        status["hostIP"] = .string(hostIP)
        status["hostIPs"] = [["ip": .string(hostIP)]]
        if let podIP {
            status["podIP"] = .string(podIP)
            status["podIPs"] = [["ip": .string(podIP)]]
        }
        status["startTime"] = .string(KubernetesTime.time(start))
        if !initPlans.isEmpty {
            status["initContainerStatuses"] = .array(zip(initPlans, initViews).map { containerStatus($0, $1, terminal: terminal) })
        }
        status["containerStatuses"] = .array(zip(regularPlans, regularViews).map { containerStatus($0, $1, terminal: terminal) })
        if let qosClass = current?["qosClass"] { status["qosClass"] = qosClass }
        return status
    }

    /// One entry of `containerStatuses`, in the order of kube's `ContainerStatus` fields.
    func containerStatus(_ plan: ContainerPlan, _ view: ContainerView, terminal: Bool) -> JSONValue {
        func terminated(_ exit: ContainerView.Exit) -> JSONValue {
            ["terminated": [
                "exitCode": .int(Int64(exit.code)), "reason": .string(exit.reason),
                "startedAt": .string(KubernetesTime.time(exit.startedAt)),
                "finishedAt": .string(KubernetesTime.time(exit.finishedAt)),
                "containerID": .string(exit.containerID),
            ]]
        }
        let state: JSONValue
        switch view.state {
        case .waiting(let reason, let message):
            var waiting: JSONObject = ["reason": .string(reason)]
            if let message { waiting["message"] = .string(message) }
            state = ["waiting": .object(waiting)]
        case .running(let since):
            state = ["running": ["startedAt": .string(KubernetesTime.time(since))]]
        case .terminated(let exit):
            state = terminated(exit)
        }
        var members: JSONObject = [
            "name": .string(plan.name), "state": state,
            "lastState": view.lastExit.map(terminated) ?? .emptyObject,
            "ready": .bool(view.ready && !terminal), "restartCount": .int(Int64(view.restartCount)),
            "image": .string(view.pulled ? plan.image.normalized : plan.image.original),
            "imageID": .string(view.pulled ? plan.image.imageID : ""),
        ]
        if let id = view.containerID { members["containerID"] = .string(id) }
        members["started"] = .bool(view.isRunning && !terminal)
        return .object(members)
    }

    /// When anything in the Pod's status changes next after `now`.
    func nextChange(after now: Date) -> Date? {
        views(at: now).compactMap(\.changesAt).filter { $0 > now }.min()
    }
}

/// Go's `time.Duration` text (`100ms`, `10s`, `1m20s`, `5m0s`), as kube's messages print durations.
enum GoDuration {
    static func format(_ seconds: Double) -> String {
        if seconds < 1 {
            let milliseconds = (seconds * 1000).rounded()
            return "\(Int(milliseconds))ms"
        }
        func trimmed(_ value: Double) -> String {
            let rounded = (value * 1000).rounded() / 1000
            if rounded == rounded.rounded() { return String(Int(rounded)) }
            var text = String(format: "%.3f", rounded)
            while text.hasSuffix("0") { text.removeLast() }
            return text
        }
        let hours = Int(seconds / 3600)
        let minutes = Int(seconds.truncatingRemainder(dividingBy: 3600) / 60)
        let rest = seconds.truncatingRemainder(dividingBy: 60)
        if hours > 0 { return "\(hours)h\(minutes)m\(trimmed(rest))s" }
        if minutes > 0 { return "\(minutes)m\(trimmed(rest))s" }
        return "\(trimmed(rest))s"
    }
}
