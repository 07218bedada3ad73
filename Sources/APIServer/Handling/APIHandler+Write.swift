import Foundation
import APIMachinery
import BuiltinKinds
import OrderedCollections
import Resources
import Store

extension APIHandler {
    // MARK: create, update

    func create(_ served: ServedResource, _ target: ResourceTarget, _ request: APIRequest) async throws -> APIResponse {
        guard target.subresource == nil else { throw Self.methodNotAllowed("POST") }
        var object = try objectFromBody(request, served)
        try placeInNamespace(&object, served.type, target)
        object = try await prepare(object, old: nil, served, request, operation: .create, managedFieldsDone: false)
        let created = try await store.create(object, as: served.type, dryRun: request.isDryRun)
        try await afterWrite(created, served, dryRun: request.isDryRun)
        return .json(status: 201, body: created.value, contentType: "application/json")
    }

    func update(_ served: ServedResource, _ target: ResourceTarget, name: String, _ request: APIRequest) async throws
        -> APIResponse
    {
        var object = try objectFromBody(request, served)
        if object.name.isEmpty { object.name = name }
        guard object.name == name else {
            throw APIError.badRequest("the name of the object (\(object.name)) does not match the name on the URL (\(name))")
        }
        try placeInNamespace(&object, served.type, target)
        let old = try await store.get(served.type, namespace: target.namespace, name: name)
        object = try await prepare(object, old: old, served, request, operation: .update, managedFieldsDone: false,
                                   subresource: target.subresource)
        let updated = try await store.update(
            object, as: served.type, subresource: target.subresource == "status" ? .status : .main,
            dryRun: request.isDryRun)
        try await afterWrite(updated, served, dryRun: request.isDryRun)
        return .ok(updated.value)
    }

    /// The object of a request body, with apiVersion and kind checked against the endpoint.
    func objectFromBody(_ request: APIRequest, _ served: ServedResource) throws -> Resource {
        let body = try Self.decodeBody(request)
        guard case .object(let members) = body else {
            throw APIError.badRequest("the request body must be a JSON object, found \(body.typeName)")
        }
        var object = Resource(object: members)
        let type = served.type
        if object.kind.isEmpty { object.kind = type.kind }
        if object.apiVersion.isEmpty { object.apiVersion = type.groupVersion.apiVersion }
        guard object.kind == type.kind, object.apiVersion == type.groupVersion.apiVersion else {
            throw APIError.badRequest(
                "the object is \(object.apiVersion), Kind=\(object.kind); this endpoint serves \(type.groupVersion.apiVersion), Kind=\(type.kind)")
        }
        return object
    }

    func placeInNamespace(_ object: inout Resource, _ type: ResourceType, _ target: ResourceTarget) throws {
        guard type.namespaced else {
            object.namespace = nil
            return
        }
        let requested = target.namespace ?? "default"
        if let namespace = object.namespace, !namespace.isEmpty, namespace != requested {
            throw APIError.badRequest(
                "the namespace of the provided object does not match the namespace sent on the request")
        }
        object.namespace = requested
    }

    /// Admission, validation and managed fields of a write (what kube-apiserver does between
    /// decoding a request and storing its object).
    func prepare(
        _ object: Resource, old: Resource?, _ served: ServedResource, _ request: APIRequest,
        operation: AdmissionOperation, managedFieldsDone: Bool, subresource: String? = nil
    ) async throws -> Resource {
        var object = try typed(object, served, request)
        let type = served.type
        // kube-apiserver gives a new object its uid before the kind's defaults (a Job's selector names it).
        if operation == .create { object.uid = UUID().uuidString.lowercased() }
        if subresource == nil {
            BuiltinKinds.applyDefaults(&object, kind: type.groupVersionKind, old: old)
            for controller in admission {
                object = try await controller.admit(object, old: old, operation: operation, type: type)
            }
            try await confirmNoRBACEscalation(object, type: type, user: request.user)
        }
        var causes = Self.metadataCauses(object, type: type)
        if subresource == nil {
            causes += BuiltinKinds.validationCauses(object, old: old, kind: type.groupVersionKind)
        } else if subresource == "status" {
            causes += BuiltinKinds.statusValidationCauses(object, kind: type.groupVersionKind)
        }
        if let schema = registry.schema(for: type) {
            // Unknown fields were reported by `typed`; here they are dropped.
            let defaulted = schema.applyDefaults(schema.prune(object.value))
            if case .object(let members) = defaulted { object = Resource(object: members) }
            causes += schema.validate(object.value)
        }
        if type.group == "apiextensions.k8s.io", type.kind == "CustomResourceDefinition" {
            causes += CRDTypes.validationCauses(object)
        }
        if !causes.isEmpty {
            let name = object.name.isEmpty ? (object.generateName ?? "") : object.name
            throw APIError.invalid(kind: type.kind, group: type.group, name: name, causes: causes)
        }
        if subresource == nil { try await admitToQuota(object, old: old, type: type, dryRun: request.isDryRun) }
        if subresource == nil, type.group.isEmpty, type.kind == "Service" {
            try await allocateServiceAddresses(&object, old: old)
        }
        if !managedFieldsDone, let view = StorageView.current {
            // A write through a view records its fields as that API version names them, as kube does.
            object = view.recordingManagedFields(
                of: object, old: old, manager: fieldManager(served, subresource: subresource),
                name: request.fieldManager, time: timestamp, schema: registry.patchSchema(for: view.type))
        } else if !managedFieldsDone {
            let manager = fieldManager(served, subresource: subresource)
            let updated = manager.update(
                live: old?.value, new: object.value, manager: request.fieldManager, time: timestamp,
                schema: registry.patchSchema(for: type))
            if case .object(let members) = updated { object = Resource(object: members) }
        }
        return object
    }

    /// Name, namespace, label and annotation rules every object follows.
    static func metadataCauses(_ object: Resource, type: ResourceType) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        if object.name.isEmpty, object.generateName?.isEmpty ?? true {
            causes.append(APIError.Cause(type: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name"))
        } else if !object.name.isEmpty {
            let problems = type.kind == "Namespace" || type.kind == "Service"
                ? NameRules.dns1123Label(object.name)
                : type.group == BuiltinTypes.rbacGroup
                ? BuiltinKinds.pathSegmentNameProblems(object.name) : NameRules.dns1123Subdomain(object.name)
            for problem in problems {
                causes.append(APIError.Cause(type: "FieldValueInvalid", message: "Invalid value: \"\(object.name)\": \(problem)", field: "metadata.name"))
            }
        }
        for (key, value) in object.labels {
            for problem in NameRules.qualifiedName(key) {
                causes.append(APIError.Cause(type: "FieldValueInvalid", message: "Invalid value: \"\(key)\": \(problem)", field: "metadata.labels"))
            }
            for problem in NameRules.labelValue(value) {
                causes.append(APIError.Cause(type: "FieldValueInvalid", message: "Invalid value: \"\(value)\": \(problem)", field: "metadata.labels"))
            }
        }
        var annotationBytes = 0
        for (key, value) in object.annotations {
            for problem in NameRules.qualifiedName(key) {
                causes.append(APIError.Cause(type: "FieldValueInvalid", message: "Invalid value: \"\(key)\": \(problem)", field: "metadata.annotations"))
            }
            annotationBytes += key.utf8.count + value.utf8.count
        }
        if annotationBytes > 262_144 {
            causes.append(APIError.Cause(type: "FieldValueTooLong", message: "Too long: may not be more than 262144 bytes", field: "metadata.annotations"))
        }
        return causes
    }

    // MARK: patch

    func patch(_ served: ServedResource, _ target: ResourceTarget, name: String, _ request: APIRequest) async throws
        -> APIResponse
    {
        let type = served.type
        let contentType = request.contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let isApply = contentType == "application/apply-patch+yaml" || contentType == "application/apply-patch+json"
        if isApply, (request.query["fieldManager"] ?? "").isEmpty {
            // An apply must say whose configuration it is; kube does not derive it from the user agent.
            throw APIError.invalid(kind: "PatchOptions", group: "meta.k8s.io", name: "", causes: [APIError.Cause(
                type: "FieldValueRequired", message: "Required value: is required for apply patch", field: "fieldManager")])
        }
        // Custom resources take no strategic merge patch: kube answers 415 listing the others.
        let supported = [
            "application/json-patch+json", "application/merge-patch+json",
        ] + (served.isCustomResource ? [] : ["application/strategic-merge-patch+json"]) + [
            "application/apply-patch+yaml",
        ]
        guard supported.contains(contentType) || contentType == "application/apply-patch+json" else {
            throw APIError(code: 415, reason: .unsupportedMediaType,
                           message: "the body of the request was in an unknown format - accepted media types include: \(supported.joined(separator: ", "))")
        }
        let patchDocument: JSONValue
        if isApply {
            patchDocument = try Self.decodeBody(APIRequest(method: "", path: "", contentType: "application/yaml", body: request.body))
        } else {
            patchDocument = try Self.decodeBody(request)
        }
        let subresource = target.subresource
        if isApply { try checkApplyConfiguration(patchDocument, served) }
        for _ in 0..<8 {
            let live: Resource?
            do {
                live = try await store.get(type, namespace: target.namespace, name: name)
            } catch let error as APIError where error.reason == .notFound && isApply && subresource == nil {
                live = nil
            }
            var patched: JSONValue
            switch contentType {
            case "application/json-patch+json":
                guard let live else { throw APIError.notFound(resource: type.resource, group: type.group, name: name) }
                patched = try JSONPatch.apply(patchDocument, to: live.value)
            case "application/merge-patch+json":
                guard let live else { throw APIError.notFound(resource: type.resource, group: type.group, name: name) }
                patched = JSONMergePatch.apply(patchDocument, to: live.value)
            case "application/strategic-merge-patch+json":
                guard let live else { throw APIError.notFound(resource: type.resource, group: type.group, name: name) }
                guard let schema = registry.builtinPatchSchema(for: type) else {
                    throw StrategicMergePatch.unsupportedMediaTypeError()
                }
                patched = try StrategicMergePatch.apply(patchDocument, to: live.value, schema: schema)
            default:
                var applied = patchDocument
                if applied["metadata"]?["name"] == nil { applied["metadata"]?["name"] = .string(name) }
                patched = try fieldManager(served, subresource: subresource).apply(
                    live: live?.value, applied: applied, manager: request.fieldManager, force: request.flag("force"),
                    time: timestamp, schema: registry.patchSchema(for: type))
            }
            guard case .object(let members) = patched else { throw APIError.badRequest("the patch does not give an object") }
            var object = Resource(object: members)
            if object.kind.isEmpty { object.kind = type.kind }
            if object.apiVersion.isEmpty { object.apiVersion = type.groupVersion.apiVersion }
            guard object.name == name else {
                throw APIError.badRequest("the name of the object (\(object.name)) does not match the name on the URL (\(name))")
            }
            try placeInNamespace(&object, type, target)

            guard let live else {
                // Server-side apply of an object that does not exist creates it.
                object = try await prepare(object, old: nil, served, request, operation: .create, managedFieldsDone: true)
                let created = try await store.create(object, as: type, dryRun: request.isDryRun)
                try await afterWrite(created, served, dryRun: request.isDryRun)
                return .json(status: 201, body: created.value, contentType: "application/json")
            }
            // A patch that names no resourceVersion applies to the version it was computed on.
            let explicitVersion = Self.patchNamesResourceVersion(patchDocument, contentType: contentType)
            if !explicitVersion { object.resourceVersion = live.resourceVersion }
            object = try await prepare(object, old: live, served, request, operation: .update,
                                       managedFieldsDone: isApply, subresource: subresource)
            do {
                let updated = try await store.update(
                    object, as: type, subresource: subresource == "status" ? .status : .main, dryRun: request.isDryRun)
                try await afterWrite(updated, served, dryRun: request.isDryRun)
                return .ok(updated.value)
            } catch let error as APIError where error.reason == .conflict && !explicitVersion {
                continue
            }
        }
        throw APIError.conflict(resource: type.resource, group: type.group, name: name,
                                reason: "the object keeps changing; try again")
    }

    static func patchNamesResourceVersion(_ patch: JSONValue, contentType: String) -> Bool {
        if contentType == "application/json-patch+json" {
            return patch.arrayValue?.contains { $0["path"]?.stringValue == "/metadata/resourceVersion" } ?? false
        }
        return patch["metadata"]?["resourceVersion"]?.stringValue != nil
    }

    // MARK: delete

    func delete(_ served: ServedResource, _ target: ResourceTarget, name: String, _ request: APIRequest) async throws
        -> APIResponse
    {
        var options = try deleteOptions(request)
        options.gracePeriodSeconds = try await gracePeriodForDeleting(served, namespace: target.namespace, name: name, request)
        let object = try await store.delete(served.type, namespace: target.namespace, name: name, options: options)
        try await afterWrite(object, served, dryRun: options.dryRun, deleted: true)
        if Self.isGracefullyDeleting(object) { return .ok(object.value) }
        if object.deletionTimestamp != nil, !object.finalizers.isEmpty {
            return .json(status: 202, body: object.value, contentType: "application/json")
        }
        var details: JSONObject = ["name": .string(name), "kind": .string(served.type.resource)]
        if !served.type.group.isEmpty { details["group"] = .string(served.type.group) }
        if let uid = object.uid { details["uid"] = .string(uid) }
        return .ok(["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "details": .object(details)])
    }

    func deleteCollection(_ served: ServedResource, _ target: ResourceTarget, _ request: APIRequest) async throws
        -> APIResponse
    {
        let deleted = try await store.deleteCollection(
            served.type, namespace: target.namespace, options: listOptions(request, served), deleteOptions: deleteOptions(request))
        if served.type.kind == "CustomResourceDefinition" { try await reloadCustomResources() }
        return .ok([
            "kind": .string(served.type.listKind), "apiVersion": .string(served.type.groupVersion.apiVersion),
            "metadata": [:], "items": .array(deleted.map(\.value)),
        ])
    }

    /// Delete options from the body (`DeleteOptions`) or the query.
    func deleteOptions(_ request: APIRequest) throws -> DeleteOptions {
        var options = DeleteOptions()
        var policy = request.query["propagationPolicy"]
        options.dryRun = request.isDryRun
        if !request.body.isEmpty {
            let body = try Self.decodeBody(request)
            if let value = body["propagationPolicy"]?.stringValue { policy = value }
            if let uid = body["preconditions"]?["uid"]?.stringValue { options.preconditionUID = uid }
            if let version = body["preconditions"]?["resourceVersion"]?.stringValue {
                options.preconditionResourceVersion = version
            }
            if body["dryRun"]?.arrayValue?.contains("All") == true { options.dryRun = true }
            if body["orphanDependents"]?.boolValue == true, policy == nil { policy = "Orphan" }
        }
        if request.query["orphanDependents"] == "true", policy == nil { policy = "Orphan" }
        switch policy {
        case nil, "Background": options.propagationPolicy = .background
        case "Foreground": options.propagationPolicy = .foreground
        case "Orphan": options.propagationPolicy = .orphan
        case let other?:
            throw APIError.invalid(kind: "DeleteOptions", group: "meta.k8s.io", name: "", causes: [APIError.Cause(
                type: "FieldValueNotSupported",
                message: "Unsupported value: \"\(other)\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"",
                field: "propagationPolicy")])
        }
        return options
    }

    // MARK: CRDs

    /// Keeps CRDs' status and the served types in step with a write.
    func afterWrite(_ object: Resource, _ served: ServedResource, dryRun: Bool, deleted: Bool = false) async throws {
        if !dryRun, !deleted, served.type.group == "", served.type.kind == "Namespace", object.deletionTimestamp == nil {
            try await populateNamespace(object.name)
        }
        guard !dryRun, served.type.group == "apiextensions.k8s.io", served.type.kind == "CustomResourceDefinition"
        else { return }
        if !deleted, object.deletionTimestamp == nil, Self.needsEstablishing(object) {
            var established = object
            established.status = CRDTypes.establishedStatus(of: object, now: timestamp)
            established.resourceVersion = nil
            _ = try await store.update(established, as: served.type, subresource: .status, dryRun: false)
        }
        if deleted {
            // The objects of a deleted CRD go with it.
            for type in (try? CRDTypes.resourceTypes(from: object)) ?? [] {
                _ = try? await store.deleteCollection(type, namespace: nil, options: ListOptions(),
                                                      deleteOptions: DeleteOptions())
            }
        }
        try await reloadCustomResources()
    }

    /// Serves exactly the CRDs in the store.
    func reloadCustomResources() async throws {
        let crdType = BuiltinTypes.customResourceDefinitions.type
        let crds = try await store.list(crdType, namespace: nil, options: ListOptions()).items
        registry.replaceCustomResources(with: crds)
    }

    static func needsEstablishing(_ crd: Resource) -> Bool {
        let conditions = crd.status?["conditions"]?.arrayValue ?? []
        let established = conditions.contains { $0["type"] == "Established" && $0["status"] == "True" }
        let accepted = crd.status?["acceptedNames"] == crd.spec?["names"]
        return !established || !accepted
    }

    // MARK: scale

    func getScale(_ served: ServedResource, _ target: ResourceTarget, name: String) async throws -> APIResponse {
        let object = try await store.get(served.type, namespace: target.namespace, name: name)
        return .ok(try Self.scale(of: object, served, requireReplicas: true))
    }

    func updateScale(_ served: ServedResource, _ target: ResourceTarget, name: String, _ request: APIRequest)
        async throws -> APIResponse
    {
        let scale = try Self.decodeBody(request)
        guard let replicas = scale["spec"]?["replicas"]?.intValue else {
            throw APIError.invalid(kind: "Scale", group: "autoscaling", name: name, causes: [APIError.Cause(
                type: "FieldValueRequired", message: "Required value", field: "spec.replicas")])
        }
        return try await setReplicas(replicas, served, target, name: name, request,
                                     resourceVersion: scale["metadata"]?["resourceVersion"]?.stringValue)
    }

    func patchScale(_ served: ServedResource, _ target: ResourceTarget, name: String, _ request: APIRequest)
        async throws -> APIResponse
    {
        if served.isCustomResource, request.contentType.hasPrefix("application/strategic-merge-patch+json") {
            // The scale of a custom resource takes the patch types of the resource.
            throw APIError(code: 415, reason: .unsupportedMediaType, message: "the body of the request was in an unknown "
                + "format - accepted media types include: application/json-patch+json, application/merge-patch+json, "
                + "application/apply-patch+yaml")
        }
        let object = try await store.get(served.type, namespace: target.namespace, name: name)
        let patch = try Self.decodeBody(request)
        let current = try Self.scale(of: object, served)
        let patched: JSONValue
        switch request.contentType.split(separator: ";").first.map(String.init) ?? "" {
        case "application/json-patch+json": patched = try JSONPatch.apply(patch, to: current)
        default: patched = JSONMergePatch.apply(patch, to: current)
        }
        guard let replicas = patched["spec"]?["replicas"]?.intValue else {
            throw APIError.badRequest("the patched Scale has no integer spec.replicas")
        }
        return try await setReplicas(replicas, served, target, name: name, request, resourceVersion: nil)
    }

    private func setReplicas(
        _ replicas: Int64, _ served: ServedResource, _ target: ResourceTarget, name: String, _ request: APIRequest,
        resourceVersion: String?
    ) async throws -> APIResponse {
        guard replicas >= 0 else {
            throw APIError.invalid(kind: "Scale", group: "autoscaling", name: name, causes: [APIError.Cause(
                type: "FieldValueInvalid", message: "Invalid value: \(replicas): must be greater than or equal to 0",
                field: "spec.replicas")])
        }
        var object = try await store.get(served.type, namespace: target.namespace, name: name)
        let old = object
        if let resourceVersion, !resourceVersion.isEmpty { object.resourceVersion = resourceVersion }
        let specPath = served.scalePaths.map { $0.fieldPath($0.specReplicasPath) } ?? "spec.replicas"
        try object.setValue(.int(replicas), at: FieldPath(parsing: specPath))
        // Recorded as written through `scale`, as kube's managedFields say (`subresource: scale`).
        object = try await prepare(object, old: old, served, request, operation: .update, managedFieldsDone: false,
                                   subresource: "scale")
        let updated = try await store.update(object, as: served.type, subresource: .main, dryRun: request.isDryRun)
        return .ok(try Self.scale(of: updated, served))
    }

    /// The `autoscaling/v1` `Scale` of an object: for a custom resource from the paths of its
    /// CRD's `subresources.scale` (a missing number is 0; with `requireReplicas`, a missing
    /// spec replicas is the 500 kube-apiserver answers), for a Deployment, ReplicaSet or
    /// StatefulSet from `spec.replicas`, `status.replicas` and `spec.selector` (as a selector string).
    static func scale(of object: Resource, _ served: ServedResource, requireReplicas: Bool = false) throws -> JSONValue {
        guard let paths = served.scalePaths else { return scale(of: object) }
        func value(_ jsonPath: String) throws -> JSONValue? {
            object.valueIfPresent(at: try FieldPath(parsing: paths.fieldPath(jsonPath)))
        }
        let specReplicas = try value(paths.specReplicasPath)
        if requireReplicas, specReplicas?.intValue == nil {
            throw APIError.internalError("the spec replicas field \"\(paths.specReplicasPath)\" does not exist")
        }
        var scale = scale(of: object)
        scale["spec"] = ["replicas": .int(specReplicas?.intValue ?? 0)]
        let selector = try paths.labelSelectorPath.flatMap(value)?.stringValue ?? ""
        scale["status"] = ["replicas": .int(try value(paths.statusReplicasPath)?.intValue ?? 0)]
        // kube omits an empty selector.
        if !selector.isEmpty { scale["status"]?["selector"] = .string(selector) }
        return scale
    }

    /// The `autoscaling/v1` `Scale` of a Deployment, ReplicaSet or StatefulSet.
    static func scale(of object: Resource) -> JSONValue {
        var metadata: JSONObject = ["name": .string(object.name)]
        if let namespace = object.namespace { metadata["namespace"] = .string(namespace) }
        if let uid = object.uid { metadata["uid"] = .string(uid) }
        if let version = object.resourceVersion { metadata["resourceVersion"] = .string(version) }
        if let created = object.creationTimestamp { metadata["creationTimestamp"] = .string(created) }
        let selector = (try? LabelSelector(json: object.valueIfPresent(at: "spec.selector") ?? .null))?.description ?? ""
        var status: JSONObject = ["replicas": object.valueIfPresent(at: "status.replicas") ?? 0]
        if !selector.isEmpty { status["selector"] = .string(selector) }
        // `spec.replicas` of a Scale is omitted when 0, as kube's JSON omits it.
        let replicas = object.valueIfPresent(at: "spec.replicas") ?? 1
        return [
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": .object(metadata),
            "spec": replicas == 0 ? [:] : ["replicas": replicas], "status": .object(status),
        ]
    }
}
