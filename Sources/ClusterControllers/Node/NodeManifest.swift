import BuiltinKinds
import ControllerRuntime
import Foundation
import OrderedCollections
import Resources

/// The simulated node as kubelet registers and reports it: the Node object's labels, spec and
/// status (capacity from this machine, the four conditions with kubelet's reasons, addresses,
/// `nodeInfo` saying the runtime is simulated), and its Lease in `kube-node-lease`.
///
/// Pure: the reconciler supplies the machine, the time and what the object holds now.
enum NodeManifest {
    static let leaseNamespace = "kube-node-lease"
    /// What `nodeInfo.containerRuntimeVersion` says: no container runtime runs here.
    static let runtimeVersion = "mizzen://simulated"
    /// An annotation of the Node saying what it is, for `kubectl describe node`.
    static let simulatedAnnotation = "mizzen.dev/simulated"
    static let simulatedNote =
        "this node is simulated by the embedded plane: Pods go through their lifecycle, no container runs"

    /// The labels kubelet sets on its Node.
    static func labels(_ options: NodeOptions, machine: MachineInfo) -> OrderedDictionary<String, String> {
        [
            "beta.kubernetes.io/arch": machine.architecture,
            "beta.kubernetes.io/os": machine.operatingSystem,
            "kubernetes.io/arch": machine.architecture,
            "kubernetes.io/hostname": options.name,
            "kubernetes.io/os": machine.operatingSystem,
            "node-role.kubernetes.io/control-plane": "",
            "node.kubernetes.io/exclude-from-external-load-balancers": "",
        ]
    }

    /// The Node kubelet registers (without status, which goes through `/status`).
    static func node(_ options: NodeOptions, machine: MachineInfo) -> Resource {
        var node = Resource(apiVersion: "v1", kind: "Node", name: options.name)
        node.withMetadata { metadata in
            var labels: JSONObject = [:]
            for (key, value) in Self.labels(options, machine: machine) { labels[key] = .string(value) }
            metadata["labels"] = .object(labels)
            metadata["annotations"] = [
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
                "mizzen.dev/simulated": .string(simulatedNote),
            ]
        }
        var spec: JSONObject = [
            "podCIDR": .string(options.podCIDR), "podCIDRs": [.string(options.podCIDR)],
        ]
        if !options.taints.isEmpty {
            spec["taints"] = .array(options.taints.map { taint in
                var members: JSONObject = [:]
                for key in ["key", "value", "effect"] where taint[key] != nil { members[key] = .string(taint[key]!) }
                return .object(members)
            })
        }
        node.object["spec"] = .object(spec)
        return node
    }

    /// `capacity` and `allocatable`: cores, memory, the root filesystem, 110 pods; allocatable
    /// memory less kubelet's 100Mi hard eviction threshold and storage less its 10%.
    static func resources(_ options: NodeOptions, machine: MachineInfo) -> (capacity: JSONObject, allocatable: JSONObject) {
        let memoryKi = machine.memoryBytes / 1024
        let storageKi = machine.ephemeralStorageBytes / 1024
        let capacity: JSONObject = [
            "cpu": .string(String(machine.cores)),
            "ephemeral-storage": .string("\(storageKi)Ki"),
            "hugepages-1Gi": "0", "hugepages-2Mi": "0",
            "memory": .string("\(memoryKi)Ki"),
            "pods": .string(String(options.maxPods)),
        ]
        let allocatable: JSONObject = [
            "cpu": .string(String(machine.cores)),
            "ephemeral-storage": .string(String(machine.ephemeralStorageBytes / 10 * 9)),
            "hugepages-1Gi": "0", "hugepages-2Mi": "0",
            "memory": .string("\(memoryKi > 102_400 ? memoryKi - 102_400 : memoryKi)Ki"),
            "pods": .string(String(options.maxPods)),
        ]
        // Written as the API server stores them (kubelet's Quantities serialise so), or every
        // report would differ from what it reads back: 1000 Pods are `1k`.
        return (capacity.mapValues { .string(Quantity.canonical($0.stringValue ?? "")) },
                allocatable.mapValues { .string(Quantity.canonical($0.stringValue ?? "")) })
    }

    /// The four conditions kubelet reports, healthy.
    static let conditions: [(type: String, status: String, reason: String, message: String)] = [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ]

    /// The status kubelet reports at `now`, given the `current` one: conditions keep their
    /// transition time while they hold, and every heartbeat is `now`.
    static func status(
        _ options: NodeOptions, machine: MachineInfo, kubeletVersion: String, current: JSONValue?, now: String
    ) -> JSONValue {
        let (capacity, allocatable) = resources(options, machine: machine)
        let previous = current?["conditions"]?.arrayValue ?? []
        let conditions: [JSONValue] = Self.conditions.map { condition in
            let old = previous.first { $0["type"]?.stringValue == condition.type }
            let held = old?["status"]?.stringValue == condition.status
            return [
                "type": .string(condition.type), "status": .string(condition.status),
                "lastHeartbeatTime": .string(now),
                "lastTransitionTime": .string(held ? old?["lastTransitionTime"]?.stringValue ?? now : now),
                "reason": .string(condition.reason), "message": .string(condition.message),
            ]
        }
        let nodeInfo: JSONObject = [
            "machineID": .string(machine.machineID), "systemUUID": .string(machine.systemUUID),
            "bootID": .string(machine.bootID), "kernelVersion": .string(machine.kernelVersion),
            "osImage": .string(machine.osImage), "containerRuntimeVersion": .string(runtimeVersion),
            "kubeletVersion": .string(kubeletVersion), "kubeProxyVersion": "",
            "operatingSystem": .string(machine.operatingSystem), "architecture": .string(machine.architecture),
        ]
        var status = current?.objectValue ?? [:]
        status["capacity"] = .object(capacity)
        status["allocatable"] = .object(allocatable)
        status["conditions"] = .array(conditions)
        status["addresses"] = [
            ["type": "InternalIP", "address": .string(options.internalIP)],
            ["type": "Hostname", "address": .string(options.name)],
        ]
        status["nodeInfo"] = .object(nodeInfo)
        return .object(status)
    }

    /// `status` without its heartbeat times, to tell a change from a mere heartbeat.
    static func withoutHeartbeats(_ status: JSONValue?) -> JSONValue? {
        guard var members = status?.objectValue else { return status }
        if let conditions = members["conditions"]?.arrayValue {
            members["conditions"] = .array(conditions.map { condition in
                var condition = condition.objectValue ?? [:]
                condition["lastHeartbeatTime"] = nil
                return .object(condition)
            })
        }
        return .object(members)
    }

    /// The oldest heartbeat of `status`, if any.
    static func oldestHeartbeat(of status: JSONValue?) -> Date? {
        (status?["conditions"]?.arrayValue ?? [])
            .compactMap { $0["lastHeartbeatTime"]?.stringValue.flatMap(KubernetesTime.parse) }
            .min()
    }

    /// The node's Lease as kubelet writes it, renewed at `now`.
    static func lease(_ options: NodeOptions, node: Resource, renewTime: String) -> Resource {
        var lease = Resource(
            apiVersion: "coordination.k8s.io/v1", kind: "Lease", name: options.name, namespace: leaseNamespace)
        lease.withMetadata { metadata in
            metadata["ownerReferences"] = [[
                "apiVersion": "v1", "kind": "Node", "name": .string(node.name), "uid": .string(node.uid ?? ""),
            ]]
        }
        lease.object["spec"] = [
            "holderIdentity": .string(options.name),
            "leaseDurationSeconds": .int(Int64(options.leaseDurationSeconds)),
            "renewTime": .string(renewTime),
        ]
        return lease
    }
}
