public import Resources
import OrderedCollections

/// What a Table row's `object` holds, from the `includeObject` query parameter.
public enum IncludeObject: String, Sendable, Hashable {
    /// No object (`includeObject=None`).
    case none = "None"
    /// A `meta.k8s.io/v1` `PartialObjectMetadata` (`includeObject=Metadata`, the default): what
    /// kubectl needs for `-A` (the namespace column), `--show-labels` and `-L`.
    case metadata = "Metadata"
    /// The whole object (`includeObject=Object`).
    case object = "Object"

    /// Reads the query parameter; `nil` or an unknown value gives the default, `.metadata`.
    public init(queryValue: String?) {
        self = queryValue.flatMap(IncludeObject.init(rawValue:)) ?? .metadata
    }
}

/// A column of a CRD's `additionalPrinterColumns`.
public enum PrinterColumn {
    /// The types a printer column may have.
    public static let types = ["boolean", "date", "integer", "number", "string"]
}

/// Builds the `meta.k8s.io/v1` `Table` that `kubectl get` asks for with
/// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json`.
///
/// Answer it with `Content-Type: application/json;as=Table;v=v1;g=meta.k8s.io`. kubectl prints
/// the columns (priority 0; `-o wide` adds priority 1), upper-casing their names, and takes the
/// namespace (`-A`) and labels (`--show-labels`) from each row's `object`. A server that answers
/// a plain list instead makes kubectl fall back to NAME and AGE.
///
/// ```swift
/// let table = TableConverter.table(for: deployments, type: BuiltinTypes.deployments.type,
///                                  additionalPrinterColumns: nil, now: "2025-01-01T00:05:00Z")
/// ```
///
/// The columns are kube-apiserver's for the built-in types (Deployment: NAME, READY, UP-TO-DATE,
/// AVAILABLE, AGE, and CONTAINERS, IMAGES, SELECTOR with `-o wide`; Service: NAME, TYPE,
/// CLUSTER-IP, EXTERNAL-IP, PORT(S), AGE…); a custom resource gets NAME and its
/// `additionalPrinterColumns`, or NAME and AGE when it has none.
public enum TableConverter {
    /// - Parameters:
    ///   - now: the current time, RFC 3339, for the ages.
    ///   - resourceVersion: the list's `metadata.resourceVersion`, when there is one (or the
    ///     object's, for a Table of one object).
    ///   - fieldDescriptions: the API documentation of a field, which kube gives as the
    ///     description of the column that shows it.
    public static func table(
        for objects: [Resource], type: ResourceType, additionalPrinterColumns: [JSONValue]?, now: String,
        includeObject: IncludeObject = .metadata, resourceVersion: String? = nil,
        fieldDescriptions: FieldDescriptions? = nil
    ) -> JSONValue {
        let columns = columns(for: type, additionalPrinterColumns: additionalPrinterColumns)
        var rows: [JSONValue] = []
        rows.reserveCapacity(objects.count)
        for object in objects {
            var row: JSONObject = ["cells": .array(columns.map { $0.cell(object, now) })]
            switch includeObject {
            case .none: break
            case .metadata:
                row["object"] = [
                    "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": .object(object.metadata),
                ]
            case .object: row["object"] = object.value
            }
            rows.append(.object(row))
        }
        var metadata: JSONObject = [:]
        if let resourceVersion { metadata["resourceVersion"] = .string(resourceVersion) }
        return [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": .object(metadata),
            "columnDefinitions": .array(columns.map { $0.definition(fieldDescriptions) }), "rows": .array(rows),
        ]
    }

    /// The documentation of a field of a built-in kind, from its OpenAPI schema: the schema's name
    /// and the property (`"io.k8s.api.core.v1.ConfigMap"`, `"data"`), `nil` when unknown.
    public typealias FieldDescriptions = @Sendable (_ schema: String, _ property: String) -> String?

    /// The `Content-Type` of a Table answer.
    public static let contentType = "application/json;as=Table;v=v1;g=meta.k8s.io"

    /// Whether an `Accept` header asks for a Table (`as=Table` with `g=meta.k8s.io`, v1 or v1beta1).
    public static func acceptsTable(_ accept: String) -> Bool {
        accept.split(separator: ",").contains { range in
            let parameters = range.split(separator: ";").map { $0.trimmingSpaces }
            return parameters.contains("as=Table") && parameters.contains("g=meta.k8s.io")
                && (parameters.contains("v=v1") || parameters.contains("v=v1beta1"))
        }
    }

    // MARK: Columns

    struct Column: Sendable {
        var name: String
        var type: String = "string"
        var format: String = ""
        var description: String
        /// The field whose documentation kube gives as the description: schema name and property.
        var field: (schema: String, property: String)?
        var priority: Int = 0
        var cell: @Sendable (Resource, String) -> JSONValue

        func definition(_ fieldDescriptions: FieldDescriptions?) -> JSONValue {
            var description = description
            if let field, let documented = fieldDescriptions?(field.schema, field.property) {
                // The Go doc comment kube uses has no enum list; the OpenAPI text appends one.
                description = documented.firstRange(of: "\n\nPossible enum values:")
                    .map { String(documented[..<$0.lowerBound]) } ?? documented
            }
            return [
                "name": .string(name), "type": .string(type), "format": .string(format),
                "description": .string(description), "priority": .int(Int64(priority)),
            ]
        }
    }

    static func columns(for type: ResourceType, additionalPrinterColumns: [JSONValue]?) -> [Column] {
        if let builtin = builtinColumns(type) ?? clusterKindColumns(type) { return builtin }
        guard let printerColumns = additionalPrinterColumns, !printerColumns.isEmpty else {
            return [nameColumn, Column(name: "Age", type: "date", description: ageDescription, field: ("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "creationTimestamp")) { object, now in
                .string(Timestamps.age(of: object.creationTimestamp, now: now))
            }]
        }
        return [nameColumn] + printerColumns.map(customColumn)
    }

    static let nameDescription = "Name must be unique within a namespace. Is required when creating resources, "
        + "although some resources may allow a client to request the generation of an appropriate name "
        + "automatically. Name is primarily intended for creation idempotence and configuration definition. "
        + "Cannot be updated."
    static let ageDescription = "CreationTimestamp is a timestamp representing the server time when this object "
        + "was created."

    static let nameColumn = Column(name: "Name", format: "name", description: nameDescription, field: ("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "name")) { object, _ in
        .string(object.name)
    }
    static let ageColumn = Column(name: "Age", description: ageDescription, field: ("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "creationTimestamp")) { object, now in
        .string(Timestamps.age(of: object.creationTimestamp, now: now))
    }

    private static func customColumn(_ column: JSONValue) -> Column {
        let type = column["type"]?.stringValue ?? "string"
        let path = (column["jsonPath"]?.stringValue).flatMap { try? SimpleJSONPath($0) }
        return Column(
            name: column["name"]?.stringValue ?? "", type: type, format: column["format"]?.stringValue ?? "",
            description: column["description"]?.stringValue ?? "Custom resource definition column (in JSONPath format): "
                + (column["jsonPath"]?.stringValue ?? ""),
            priority: Int(column["priority"]?.intValue ?? 0)
        ) { object, now in
            guard let path else { return .null }
            let values = path.evaluate(object.value)
            if values.count > 1 {
                return .string(values.map { $0.stringValue ?? $0.jsonString() }.joined(separator: ","))
            }
            guard let value = values.first else { return .null }
            return cell(value, type: type, now: now)
        }
    }

    /// A custom column's cell as kube's CRD table convertor makes it: the value when it has the
    /// column's type, an age for dates, else `null` (which kubectl prints as `<none>`).
    private static func cell(_ value: JSONValue, type: String, now: String) -> JSONValue {
        switch (type, value) {
        case ("integer", _): return value.intValue.map(JSONValue.int) ?? .null
        case ("number", .int), ("number", .double): return value
        case ("boolean", .bool), ("string", .string): return value
        case ("date", .string(let text)):
            return Timestamps.secondsSinceEpoch(text) == nil ? "<invalid>" : .string(Timestamps.age(of: text, now: now))
        default: return .null
        }
    }

    // MARK: Built-in types

    private static func builtinColumns(_ type: ResourceType) -> [Column]? {
        if let workload = workloadColumns(type) { return workload }
        switch (type.group, type.kind) {
        case ("", "Namespace"):
            return [nameColumn, Column(name: "Status", description: "The status of the namespace") { object, _ in
                .string(object.status?["phase"]?.stringValue ?? "")
            }, ageColumn]
        case ("", "ConfigMap"):
            return [nameColumn, Column(name: "Data", description: "Data contains the configuration data.", field: ("io.k8s.api.core.v1.ConfigMap", "data")) { object, _ in
                .int(Int64(memberCount(object, "data") + memberCount(object, "binaryData")))
            }, ageColumn]
        case ("", "Secret"):
            return [
                nameColumn,
                Column(name: "Type", description: "Used to facilitate programmatic handling of secret data.", field: ("io.k8s.api.core.v1.Secret", "type")) { object, _ in
                    .string(object.object["type"]?.stringValue ?? "")
                },
                Column(name: "Data", description: "Data contains the secret data.", field: ("io.k8s.api.core.v1.Secret", "data")) { object, _ in
                    .int(Int64(memberCount(object, "data") + memberCount(object, "stringData")))
                },
                ageColumn,
            ]
        case ("", "ServiceAccount"):
            // kube no longer prints the token Secrets a ServiceAccount lists.
            return [nameColumn, ageColumn]
        case ("", "Service"):
            return serviceColumns
        case ("", "Event"):
            return eventColumns
        case ("apps", "Deployment"):
            return deploymentColumns
        case ("apps", "StatefulSet"):
            return [
                nameColumn, readyColumn, ageColumn,
                containersColumn, imagesColumn,
            ]
        case ("apps", "ControllerRevision"):
            return [
                nameColumn,
                Column(name: "Controller", description: "Controller of the object") { object, _ in
                    guard let owner = object.controllerReference else { return "<none>" }
                    let group = GroupVersion(apiVersion: owner.apiVersion).group
                    let kind = group.isEmpty ? owner.kind : "\(owner.kind).\(group)"
                    return .string("\(kind.lowercased())/\(owner.name)")
                },
                Column(name: "Revision", type: "integer", description: "Revision indicates the revision of the state represented by Data.", field: ("io.k8s.api.apps.v1.ControllerRevision", "revision")) { object, _ in
                    .int(object.object["revision"]?.intValue ?? 0)
                },
                ageColumn,
            ]
        case ("coordination.k8s.io", "Lease"):
            return [nameColumn, Column(name: "Holder", description: "The holder of the lease", field: ("io.k8s.api.coordination.v1.LeaseSpec", "holderIdentity")) { object, _ in
                .string(object.spec?["holderIdentity"]?.stringValue ?? "")
            }, ageColumn]
        case ("rbac.authorization.k8s.io", "Role"), ("rbac.authorization.k8s.io", "ClusterRole"):
            return [nameColumn, createdAtColumn]
        case ("rbac.authorization.k8s.io", "RoleBinding"): return bindingColumns("roleBinding")
        case ("rbac.authorization.k8s.io", "ClusterRoleBinding"): return bindingColumns("clusterRoleBinding")
        case ("apiextensions.k8s.io", "CustomResourceDefinition"):
            return [nameColumn, Column(name: "Created At", type: "date", description: ageDescription, field: ("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "creationTimestamp")) { object, _ in
                .string(object.creationTimestamp ?? "")
            }]
        default:
            return nil
        }
    }

    private static func memberCount(_ object: Resource, _ key: String) -> Int {
        object.object[key]?.objectValue?.count ?? 0
    }

    private static let readyColumn = Column(name: "Ready", description: "Number of the pod with ready state") { object, _ in
        let ready = object.status?["readyReplicas"]?.intValue ?? 0
        let desired = object.spec?["replicas"]?.intValue ?? 0
        return .string("\(ready)/\(desired)")
    }

    private static func containers(_ object: Resource) -> [JSONValue] {
        object.spec?["template"]?["spec"]?["containers"]?.arrayValue ?? []
    }

    private static let containersColumn = Column(
        name: "Containers", description: "Names of each container in the template.", priority: 1
    ) { object, _ in
        .string(containers(object).compactMap { $0["name"]?.stringValue }.joined(separator: ","))
    }

    private static let imagesColumn = Column(
        name: "Images", description: "Images referenced by each container in the template.", priority: 1
    ) { object, _ in
        .string(containers(object).compactMap { $0["image"]?.stringValue }.joined(separator: ","))
    }

    private static let deploymentColumns: [Column] = [
        nameColumn, readyColumn,
        Column(name: "Up-to-date", description: "Total number of non-terminated pods targeted by this deployment that have the desired template spec.", field: ("io.k8s.api.apps.v1.DeploymentStatus", "updatedReplicas")) { object, _ in
            .int(object.status?["updatedReplicas"]?.intValue ?? 0)
        },
        Column(name: "Available", description: "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.", field: ("io.k8s.api.apps.v1.DeploymentStatus", "availableReplicas")) { object, _ in
            .int(object.status?["availableReplicas"]?.intValue ?? 0)
        },
        ageColumn, containersColumn, imagesColumn,
        Column(name: "Selector", description: "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", field: ("io.k8s.api.apps.v1.DeploymentSpec", "selector"), priority: 1) { object, _ in
            .string(formatSelector(object.spec?["selector"]))
        },
    ]

    /// A label selector as kubectl prints one: `app=web,tier in (a,b)`, `<none>` when empty.
    static func formatSelector(_ selector: JSONValue?) -> String {
        var parts: [String] = []
        let labels = selector?["matchLabels"]?.objectValue ?? [:]
        for key in labels.keys.sorted() { parts.append("\(key)=\(labels[key]?.stringValue ?? "")") }
        for expression in selector?["matchExpressions"]?.arrayValue ?? [] {
            let key = expression["key"]?.stringValue ?? ""
            let values = (expression["values"]?.arrayValue ?? []).compactMap(\.stringValue).sorted()
            switch expression["operator"]?.stringValue ?? "" {
            case "In": parts.append("\(key) in (\(values.joined(separator: ",")))")
            case "NotIn": parts.append("\(key) notin (\(values.joined(separator: ",")))")
            case "Exists": parts.append(key)
            case "DoesNotExist": parts.append("!\(key)")
            default: break
            }
        }
        return parts.isEmpty ? "<none>" : parts.joined(separator: ",")
    }

    private static let serviceColumns: [Column] = [
        nameColumn,
        Column(name: "Type", description: "type determines how the Service is exposed.", field: ("io.k8s.api.core.v1.ServiceSpec", "type")) { object, _ in
            .string(object.spec?["type"]?.stringValue ?? "ClusterIP")
        },
        Column(name: "Cluster-IP", description: "clusterIP is the IP address of the service.", field: ("io.k8s.api.core.v1.ServiceSpec", "clusterIP")) { object, _ in
            let ip = object.spec?["clusterIP"]?.stringValue ?? ""
            return .string(ip.isEmpty ? "<none>" : ip)
        },
        Column(name: "External-IP", description: "List of IP addresses for which nodes in the cluster will also accept traffic for this service.", field: ("io.k8s.api.core.v1.ServiceSpec", "externalIPs")) { object, _ in
            .string(externalIP(object))
        },
        Column(name: "Port(s)", description: "The list of ports that are exposed by this service.", field: ("io.k8s.api.core.v1.ServiceSpec", "ports")) { object, _ in
            .string(formatPorts(object.spec?["ports"]?.arrayValue ?? []))
        },
        ageColumn,
        Column(name: "Selector", description: "Route service traffic to pods with label keys and values matching this selector.", field: ("io.k8s.api.core.v1.ServiceSpec", "selector"), priority: 1) { object, _ in
            let selector = object.spec?["selector"]?.objectValue ?? [:]
            if selector.isEmpty { return "<none>" }
            return .string(selector.keys.sorted().map { "\($0)=\(selector[$0]?.stringValue ?? "")" }.joined(separator: ","))
        },
    ]

    private static func externalIP(_ service: Resource) -> String {
        let spec = service.spec ?? [:]
        let externalIPs = (spec["externalIPs"]?.arrayValue ?? []).compactMap(\.stringValue)
        switch spec["type"]?.stringValue ?? "ClusterIP" {
        case "LoadBalancer":
            let ingress = (service.status?["loadBalancer"]?["ingress"]?.arrayValue ?? []).compactMap {
                $0["ip"]?.stringValue ?? $0["hostname"]?.stringValue
            }
            let all = ingress + externalIPs
            return all.isEmpty ? "<pending>" : all.joined(separator: ",")
        case "ExternalName":
            return spec["externalName"]?.stringValue ?? "<none>"
        default:
            return externalIPs.isEmpty ? "<none>" : externalIPs.joined(separator: ",")
        }
    }

    private static func formatPorts(_ ports: [JSONValue]) -> String {
        if ports.isEmpty { return "<none>" }
        return ports.map { port in
            let number = port["port"]?.intValue ?? 0
            let proto = port["protocol"]?.stringValue ?? "TCP"
            if let nodePort = port["nodePort"]?.intValue, nodePort != 0 { return "\(number):\(nodePort)/\(proto)" }
            return "\(number)/\(proto)"
        }.joined(separator: ",")
    }

    private static let eventColumns: [Column] = [
        Column(name: "Last Seen", description: "Time when this Event was last observed", field: ("io.k8s.api.core.v1.Event", "lastTimestamp")) { object, now in
            .string(Timestamps.age(of: eventTime(object, last: true), now: now))
        },
        Column(name: "Type", description: "Type of this event (Normal, Warning), new types could be added in the future", field: ("io.k8s.api.core.v1.Event", "type")) { object, _ in
            .string(object.object["type"]?.stringValue ?? "")
        },
        Column(name: "Reason", description: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.", field: ("io.k8s.api.core.v1.Event", "reason")) { object, _ in
            .string(object.object["reason"]?.stringValue ?? "")
        },
        Column(name: "Object", description: "The object that this event is about. Mapped to the Event's involvedObject.", field: ("io.k8s.api.core.v1.Event", "involvedObject")) { object, _ in
            let involved = object.object["involvedObject"] ?? [:]
            return .string("\((involved["kind"]?.stringValue ?? "").lowercased())/\(involved["name"]?.stringValue ?? "")")
        },
        Column(name: "Subobject", description: "The subobject (a field path) of the involved object.", field: ("io.k8s.api.core.v1.ObjectReference", "fieldPath"), priority: 1) { object, _ in
            .string(object.object["involvedObject"]?["fieldPath"]?.stringValue ?? "")
        },
        Column(name: "Source", description: "The component reporting this event.", field: ("io.k8s.api.core.v1.Event", "source"), priority: 1) { object, _ in
            // The source, or else the reporting controller and instance (events.k8s.io writers).
            let source = object.object["source"] ?? [:]
            let component = [source["component"]?.stringValue, object.object["reportingComponent"]?.stringValue]
                .compactMap { $0 }.first { !$0.isEmpty } ?? ""
            let instance = [source["host"]?.stringValue, object.object["reportingInstance"]?.stringValue]
                .compactMap { $0 }.first { !$0.isEmpty } ?? ""
            return .string(instance.isEmpty ? component : "\(component), \(instance)")
        },
        Column(name: "Message", description: "A human-readable description of the status of this operation.", field: ("io.k8s.api.core.v1.Event", "message")) { object, _ in
            .string(object.object["message"]?.stringValue ?? "")
        },
        Column(name: "First Seen", description: "The time at which the event was first recorded.", field: ("io.k8s.api.core.v1.Event", "firstTimestamp"), priority: 1) { object, now in
            .string(Timestamps.age(of: eventTime(object, last: false), now: now))
        },
        Column(name: "Count", description: "The number of times this event has occurred.", field: ("io.k8s.api.core.v1.Event", "count"), priority: 1) { object, _ in
            .int(object.object["count"]?.intValue ?? 1)
        },
        Column(name: "Name", format: "name", description: nameDescription, field: ("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "name"), priority: 1) { object, _ in
            .string(object.name)
        },
    ]

    private static func eventTime(_ event: Resource, last: Bool) -> String? {
        let keys = last
            ? ["lastTimestamp", "eventTime", "firstTimestamp"]
            : ["firstTimestamp", "eventTime", "lastTimestamp"]
        let stamp = keys.lazy.compactMap { event.object[$0]?.stringValue }.first { !$0.isEmpty }
        return stamp ?? event.creationTimestamp
    }
}
