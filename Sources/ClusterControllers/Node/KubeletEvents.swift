import OrderedCollections
import Resources

/// The Events kubelet records when a container's status moves from `old` (as the Pod's status
/// has it) to `new`: pulling and starting, pull failures and back-offs, crash-loop back-offs.
enum KubeletEvents {
    struct Event: Sendable, Hashable {
        var warning: Bool
        var reason: String
        var message: String
    }

    /// The Events of one container's change; `imagePresent` says whether the node already has
    /// the image (then an `IfNotPresent` pull is skipped), `pullTime` how long a pull took,
    /// `podDescription` is kubelet's `name_namespace(uid)`.
    static func events(
        plan: PodSimulation.ContainerPlan, old: JSONValue?, new: PodSimulation.ContainerView, imagePresent: Bool,
        pullTime: Double, podDescription: String
    ) -> [Event] {
        let oldWaiting = old?["state"]?["waiting"]?["reason"]?.stringValue
        let oldRunning = old?["state"]?["running"] != nil
        let oldRestarts = old?["restartCount"]?.intValue ?? 0
        let image = plan.image.original
        switch new.state {
        case .running:
            guard !oldRunning || oldRestarts != Int64(new.restartCount) else { return [] }
            var events: [Event] = []
            if plan.pullPolicy == "Always" || (plan.pullPolicy == "IfNotPresent" && !imagePresent) {
                let took = GoDuration.format(pullTime)
                events.append(Event(warning: false, reason: "Pulling", message: "Pulling image \"\(image)\""))
                events.append(Event(warning: false, reason: "Pulled",
                                    message: "Successfully pulled image \"\(image)\" in \(took) (\(took) including waiting). Image size: 0 bytes."))
            } else {
                events.append(Event(warning: false, reason: "Pulled",
                                    message: "Container image \"\(image)\" already present on machine"))
            }
            events.append(Event(warning: false, reason: "Created", message: "Container created"))
            events.append(Event(warning: false, reason: "Started", message: "Container started"))
            if plan.neverReady {
                events.append(Event(warning: true, reason: "Unhealthy",
                                    message: "Readiness probe failed: the container never becomes ready (annotation \(PodKnobs.neverReady))"))
            }
            return events
        case .waiting(let reason, _):
            switch reason {
            case "ErrImagePull" where oldWaiting != "ErrImagePull":
                return [
                    Event(warning: false, reason: "Pulling", message: "Pulling image \"\(image)\""),
                    Event(warning: true, reason: "Failed", message: "Failed to pull image \"\(image)\": \(plan.image.pullError)"),
                    Event(warning: true, reason: "Failed", message: "Error: ErrImagePull"),
                ]
            case "ImagePullBackOff" where oldWaiting != "ImagePullBackOff":
                return [
                    Event(warning: false, reason: "BackOff", message: "Back-off pulling image \"\(image)\""),
                    Event(warning: true, reason: "Failed", message: "Error: ImagePullBackOff"),
                ]
            case "CrashLoopBackOff" where oldWaiting != "CrashLoopBackOff" || oldRestarts != Int64(new.restartCount):
                return [Event(warning: true, reason: "BackOff",
                              message: "Back-off restarting failed container \(plan.name) in pod \(podDescription)")]
            default:
                return []
            }
        case .terminated:
            return []
        }
    }
}
