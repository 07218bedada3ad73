import OrderedCollections
public import Resources

/// `ContainerizedWorkload` (spec §2.6): containers the runtime turns into a Deployment and a
/// Service.
public struct ContainerizedWorkload: TypedObject {
    public struct Spec: Codable, Sendable, Hashable {
        public var osType: String?
        public var arch: String?
        public var containers: [Container]
    }

    public struct Container: Codable, Sendable, Hashable {
        public var name: String
        public var image: String
        public var resources: ContainerResources?
        public var command: [String]?
        public var args: [String]?
        public var env: [EnvironmentVariable]?
        public var config: [ConfigFile]?
        public var ports: [ContainerPort]?
        public var livenessProbe: Probe?
        public var readinessProbe: Probe?
        public var imagePullSecret: String?
    }

    public struct ContainerResources: Codable, Sendable, Hashable {
        public var cpu: ResourceRequirement
        public var memory: ResourceRequirement
        public var gpu: ResourceRequirement?
        public var volumes: [VolumeResource]?
        public var extended: [ExtendedResource]?
    }

    public struct ResourceRequirement: Codable, Sendable, Hashable {
        public var required: IntOrString
    }

    public struct VolumeResource: Codable, Sendable, Hashable {
        public var name: String
        public var mountPath: String
        public var accessMode: String?
        public var sharingPolicy: String?
        public var disk: DiskResource?
    }

    public struct DiskResource: Codable, Sendable, Hashable {
        public var required: IntOrString
        public var ephemeral: Bool?
    }

    public struct ExtendedResource: Codable, Sendable, Hashable {
        public var name: String
        public var required: IntOrString
    }

    public struct EnvironmentVariable: Codable, Sendable, Hashable {
        public var name: String
        public var value: String?
        public var fromSecret: SecretKeySelector?
    }

    public struct SecretKeySelector: Codable, Sendable, Hashable {
        public var name: String
        public var key: String
    }

    public struct ConfigFile: Codable, Sendable, Hashable {
        public var path: String
        public var value: String?
        public var fromSecret: SecretKeySelector?
    }

    public struct ContainerPort: Codable, Sendable, Hashable {
        public var name: String?
        public var containerPort: Int32
        public var `protocol`: String?
    }

    public struct Probe: Codable, Sendable, Hashable {
        public var exec: ExecProbe?
        public var httpGet: HTTPGetProbe?
        public var tcpSocket: TCPSocketProbe?
        public var initialDelaySeconds: Int32?
        public var periodSeconds: Int32?
        public var timeoutSeconds: Int32?
        public var successThreshold: Int32?
        public var failureThreshold: Int32?
    }

    public struct ExecProbe: Codable, Sendable, Hashable {
        public var command: [String]?
    }

    public struct HTTPGetProbe: Codable, Sendable, Hashable {
        public var path: String?
        public var port: Int32
        public var httpHeaders: [HTTPHeader]?
    }

    public struct HTTPHeader: Codable, Sendable, Hashable {
        public var name: String
        public var value: String
    }

    public struct TCPSocketProbe: Codable, Sendable, Hashable {
        public var port: Int32
    }

    public struct Status: Codable, Sendable, Hashable {
        public var conditions: [Condition]?
        public var resources: [TypedReference]?
    }

    public static let kind = "ContainerizedWorkload"
    public var resource: Resource
    public var spec: Spec
    public var status: Status?

    public init(resource: Resource, spec: Spec, status: Status?) {
        self.resource = resource
        self.spec = spec
        self.status = status
    }
}

/// `ManualScalerTrait` (spec §2.7): sets the replica count of its workload.
public struct ManualScalerTrait: TypedObject {
    public struct Spec: Codable, Sendable, Hashable {
        public var replicaCount: Int32
        public var workloadRef: TypedReference
    }

    public struct Status: Codable, Sendable, Hashable {
        public var conditions: [Condition]?
    }

    public static let kind = "ManualScalerTrait"
    public var resource: Resource
    public var spec: Spec
    public var status: Status?

    public init(resource: Resource, spec: Spec, status: Status?) {
        self.resource = resource
        self.spec = spec
        self.status = status
    }
}

/// `HealthScope` (spec §2.8): aggregates the health of the workloads it references.
public struct HealthScope: TypedObject {
    public struct Spec: Codable, Sendable, Hashable {
        public var probeTimeout: Int32?
        public var probeInterval: Int32?
        public var workloadRefs: [TypedReference]

        enum CodingKeys: String, CodingKey {
            case probeTimeout = "probe-timeout"
            case probeInterval = "probe-interval"
            case workloadRefs
        }
    }

    public struct Status: Codable, Sendable, Hashable {
        public var conditions: [Condition]?
        public var scopeHealthCondition: ScopeHealthCondition
        public var healthConditions: [WorkloadHealthCondition]?
    }

    public struct ScopeHealthCondition: Codable, Sendable, Hashable {
        public var healthStatus: String
        public var total: Int64?
        public var healthyWorkloads: Int64?
        public var unhealthyWorkloads: Int64?
        public var unknownWorkloads: Int64?
    }

    public struct WorkloadHealthCondition: Codable, Sendable, Hashable {
        public var componentName: String?
        public var targetWorkload: TypedReference?
        public var healthStatus: String
        public var diagnosis: String?
        public var workloadStatus: String?
    }

    public static let kind = "HealthScope"
    public var resource: Resource
    public var spec: Spec
    public var status: Status?

    public init(resource: Resource, spec: Spec, status: Status?) {
        self.resource = resource
        self.spec = spec
        self.status = status
    }
}
