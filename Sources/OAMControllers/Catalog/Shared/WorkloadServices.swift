import ControllerRuntime
import Foundation
import OAM
import OrderedCollections
import Resources

/// What a trait that sends traffic to a workload needs to know of it: the Services it already
/// has and the ports its containers declare. Input of the pure ``OAM/TraitBackend/choose(for:port:portPath:portName:workloadServices:podSelector:containerPorts:)``.
enum WorkloadServices {
    /// The workload's Services: its children of kind `v1` Service (a ContainerizedWorkload's, a
    /// PodSpecWorkload's), the workload itself when it is one.
    static func services(of resolved: TraitWorkload) -> [Resource] {
        ([resolved.workload] + resolved.children).filter(isService)
    }

    /// The container ports of the object that runs the workload's Pods (the one ``WorkloadPods``
    /// takes its selector from), in the order of its containers.
    static func containerPorts(of resolved: TraitWorkload) -> [Int64] {
        let runners = resolved.children.filter(WorkloadPods.runsPods).sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }
        guard let runner = runners.first ?? (WorkloadPods.runsPods(resolved.workload) ? resolved.workload : nil) else {
            return []
        }
        let containers = runner.valueIfPresent(at: "spec.template.spec.containers")?.arrayValue ?? []
        return containers.flatMap { container in
            (container["ports"]?.arrayValue ?? []).compactMap { $0["containerPort"]?.intValue }
        }
    }

    /// Whether the workload's own controller may yet make a Service for it: its definition names
    /// Service among its child kinds, and the controller has not reported on the workload (it has
    /// no status) since it was created, less than `patience` before `now`. A trait then waits
    /// instead of making a Service of its own that the workload's would make needless.
    static func mayYetMakeService(
        _ resolved: TraitWorkload, definitions: DefinitionCatalog, now: Date, patience: Duration
    ) -> Bool {
        let workload = resolved.workload
        guard workload.status?.objectValue?.isEmpty ?? true,
            let text = workload.valueIfPresent(at: "metadata.creationTimestamp")?.stringValue,
            let created = KubernetesTime.parse(text),
            now.timeIntervalSince(created) < Double(patience.components.seconds)
        else { return false }
        let (_, definition) = definitions.catalog.workloadDefinition(for: workload.value)
        return (definition?.spec.childResourceKinds ?? []).contains { $0.kind == "Service" && $0.apiVersion == "v1" }
    }

    static func isService(_ object: Resource) -> Bool {
        object.kind == "Service" && object.apiVersion == "v1"
    }
}
