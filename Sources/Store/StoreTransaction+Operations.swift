import OrderedCollections
import Resources

/// The finalizers the garbage collector understands.
enum Finalizer {
    static let orphan = "orphan"
    static let foregroundDeletion = "foregroundDeletion"
    /// `spec.finalizers` of a namespace until it is empty.
    static let kubernetes = "kubernetes"
}

extension StoreTransaction {
    static let modifiedMessage = "the object has been modified; please apply your changes to the latest version and try again"
    static let protectedNamespaces: Set<String> = ["default", "kube-system", "kube-public"]

    /// Where an object of `type` named `name` is filed.
    static func key(_ type: ResourceType, namespace: String?, name: String) throws(APIError) -> ObjectKey {
        if type.namespaced {
            guard let namespace, !namespace.isEmpty else {
                throw APIError.badRequest("a namespace is required for \(type.description)")
            }
            return ObjectKey(type: type.storageKey, namespace: namespace, name: name)
        }
        return ObjectKey(type: type.storageKey, namespace: "", name: name)
    }

    // MARK: Create

    func create(_ request: Resource, as type: ResourceType) throws -> Resource {
        var object = request
        if let rv = object.resourceVersion, !rv.isEmpty {
            throw APIError.internalError("resourceVersion should not be set on objects to be created")
        }
        if !type.namespaced { object.withMetadata { _ = $0.removeValue(forKey: "namespace") } }
        let generateName = object.generateName ?? ""
        if object.name.isEmpty, generateName.isEmpty {
            throw APIError.invalid(
                kind: type.kind, group: type.group, name: "",
                causes: [.init(type: "FieldValueRequired", message: "Required value: name or generateName is required",
                               field: "metadata.name")])
        }
        let namespace = type.namespaced ? object.namespace ?? "" : ""
        if type.namespaced {
            if namespace.isEmpty {
                throw APIError.invalid(
                    kind: type.kind, group: type.group, name: object.name,
                    causes: [.init(type: "FieldValueRequired", message: "Required value", field: "metadata.namespace")])
            }
            try checkNamespaceAcceptsContent(namespace, type: type, name: object.name)
        }
        try Self.validateOwnerReferences(object, type: type)

        let now = Identifiers.timestamp()
        object.withMetadata { metadata in
            // The API server assigns the uid before its defaults when they need it (a Job's selector).
            if metadata["uid"]?.stringValue?.isEmpty ?? true { metadata["uid"] = .string(Identifiers.uid()) }
            metadata["creationTimestamp"] = .string(now)
            if type.tracksGeneration {
                metadata["generation"] = .int(1)
            } else {
                metadata.removeValue(forKey: "generation")
            }
            metadata.removeValue(forKey: "deletionTimestamp")
            metadata.removeValue(forKey: "deletionGracePeriodSeconds")
            metadata.removeValue(forKey: "resourceVersion")
        }
        if type.storageKey == Self.namespaceKey {
            var spec = object.spec?.objectValue ?? [:]
            var finalizers = spec["finalizers"]?.arrayValue ?? []
            if !finalizers.contains(.string(Finalizer.kubernetes)) { finalizers.append(.string(Finalizer.kubernetes)) }
            spec["finalizers"] = .array(finalizers)
            object.spec = .object(spec)
            object.status = ["phase": "Active"]
        } else if var initial = type.initialStatus {
            for key in type.statusSetOnCreate { initial[key] = object.status?[key] }
            object.status = initial
        } else if type.hasStatus {
            object.object.removeValue(forKey: "status")
        }

        let generated = object.name.isEmpty
        for _ in 0..<8 {
            if generated { object.name = Identifiers.generatedName(prefix: generateName) }
            object.metadata = Self.canonicalOrder(object.metadata)
            let key = ObjectKey(type: type.storageKey, namespace: namespace, name: object.name)
            if let created = try insert(key, object) { return created }
            if !generated { break }
        }
        throw APIError.alreadyExists(resource: type.resource, group: type.group, name: object.name)
    }

    private func checkNamespaceAcceptsContent(_ namespace: String, type: ResourceType, name: String) throws {
        guard let found = try load(ObjectKey(type: Self.namespaceKey, namespace: "", name: namespace)) else {
            throw APIError.notFound(resource: "namespaces", name: namespace)
        }
        if found.isBeingDeleted {
            throw APIError(
                code: 403, reason: .forbidden,
                message: "\(type.description) \"\(name)\" is forbidden: unable to create new content in namespace "
                    + "\(namespace) because it is being terminated",
                kind: type.resource, name: name, group: type.group,
                causes: [.init(type: "NamespaceTerminating", message: "namespace \(namespace) is being terminated",
                               field: "metadata.namespace")])
        }
    }

    /// Metadata members in the order kube-apiserver prints them; others follow in their order.
    static func canonicalOrder(_ metadata: JSONObject) -> JSONObject {
        let order = [
            "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
            "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
            "ownerReferences", "finalizers", "managedFields",
        ]
        var out = JSONObject(minimumCapacity: metadata.count)
        for key in order {
            // kube-apiserver decodes metadata into ObjectMeta, whose fields are all `omitempty`:
            // an empty name, map or list (or null) is not kept.
            guard let value = metadata[key], !isEmptyMetadataValue(value) else { continue }
            out[key] = value
        }
        for (key, value) in metadata where out[key] == nil && !order.contains(key) { out[key] = value }
        return out
    }

    private static func isEmptyMetadataValue(_ value: JSONValue) -> Bool {
        switch value {
        case .null: true
        case .string(let text): text.isEmpty
        case .object(let members): members.isEmpty
        case .array(let items): items.isEmpty
        default: false
        }
    }

    static func validateOwnerReferences(_ object: Resource, type: ResourceType) throws(APIError) {
        guard let references = object.object["metadata"]?["ownerReferences"]?.arrayValue else { return }
        var causes: [APIError.Cause] = []
        var controllers: [String] = []
        for reference in references {
            for (field, what) in [("apiVersion", "version"), ("kind", "kind"), ("name", "name"), ("uid", "uid")] {
                let value = reference[field]?.stringValue ?? ""
                if value.isEmpty {
                    causes.append(.init(type: "FieldValueInvalid",
                                        message: "Invalid value: \"\": \(what) must not be empty",
                                        field: "metadata.ownerReferences.\(field)"))
                }
            }
            if reference["controller"]?.boolValue == true {
                controllers.append("\(reference["kind"]?.stringValue ?? "")/\(reference["name"]?.stringValue ?? "")")
            }
        }
        if controllers.count > 1 {
            causes.append(.init(
                type: "FieldValueInvalid",
                message: "Invalid value: \(controllers): Only one reference can have Controller set to true. "
                    + "Found \"true\" in references for \(controllers.joined(separator: " and "))",
                field: "metadata.ownerReferences"))
        }
        if !causes.isEmpty {
            throw APIError.invalid(kind: type.kind, group: type.group, name: object.name, causes: causes)
        }
    }

    // MARK: Update

    private func checkPreconditions(
        requestVersion: String?, requestUID: String?, stored: Resource, type: ResourceType, name: String
    ) throws(APIError) {
        if let requestUID, !requestUID.isEmpty, requestUID != stored.uid {
            throw APIError.conflict(
                resource: type.resource, group: type.group, name: name,
                reason: "Precondition failed: UID in precondition: \(requestUID), UID in object meta: \(stored.uid ?? "")")
        }
        if let requestVersion, !requestVersion.isEmpty {
            guard Int64(requestVersion) != nil else {
                throw APIError.invalid(
                    kind: type.kind, group: type.group, name: name,
                    causes: [.init(type: "FieldValueInvalid",
                                   message: "Invalid value: \"\(requestVersion)\": must be a valid resource version",
                                   field: "metadata.resourceVersion")])
            }
            if requestVersion != stored.resourceVersion {
                throw APIError.conflict(resource: type.resource, group: type.group, name: name, reason: Self.modifiedMessage)
            }
        }
    }

    /// Replaces an object (or its status).
    ///
    /// - Returns: the object as written, the stored object for a no-op, or the deleted object when
    ///   the update removed the last finalizer of an object being deleted.
    func update(_ request: Resource, as type: ResourceType, subresource: Subresource) throws -> Resource {
        if subresource == .status, !type.hasStatus {
            throw APIError(code: 404, reason: .notFound, message: "the server could not find the requested resource")
        }
        let key = try Self.key(type, namespace: request.namespace, name: request.name)
        guard let stored = try load(key) else {
            throw APIError.notFound(resource: type.resource, group: type.group, name: request.name)
        }
        try checkPreconditions(
            requestVersion: request.resourceVersion, requestUID: request.uid, stored: stored, type: type,
            name: request.name)

        var updated: Resource
        if subresource == .status {
            // Only status changes through /status (and the metadata the kind's status strategy
            // lets through); spec and the rest stay as stored.
            updated = stored
            if let status = request.status { updated.status = status } else { updated.object.removeValue(forKey: "status") }
            for field in type.metadataWritableThroughStatus {
                let requested = request.metadata[field]
                updated.withMetadata { metadata in
                    if let requested, !requested.isNull { metadata[field] = requested } else { metadata[field] = nil }
                }
            }
        } else {
            updated = request
            try carryOverServerFields(into: &updated, from: stored, type: type)
        }
        if updated == stored {
            return stored
        }
        let (result, removed) = try settle(key, old: stored, updated: updated)
        var out = result
        if dryRun, !removed { out.resourceVersion = stored.resourceVersion }
        return out
    }

    private func carryOverServerFields(into updated: inout Resource, from stored: Resource, type: ResourceType) throws {
        let storedMetadata = stored.metadata
        if storedMetadata["deletionTimestamp"] == nil, let requested = updated.object["metadata"]?["deletionTimestamp"],
            !requested.isNull
        {
            throw APIError.invalid(
                kind: type.kind, group: type.group, name: updated.name,
                causes: [.init(type: "FieldValueInvalid",
                               message: "Invalid value: \(requested.jsonString()): field is immutable",
                               field: "metadata.deletionTimestamp")])
        }
        if stored.isBeingDeleted {
            let added = updated.finalizers.filter { !stored.finalizers.contains($0) }
            if !added.isEmpty {
                throw APIError.invalid(
                    kind: type.kind, group: type.group, name: updated.name,
                    causes: [.init(type: "FieldValueForbidden",
                                   message: "Forbidden: no new finalizers can be added if the object is being deleted, "
                                       + "found new finalizers \(added)",
                                   field: "metadata.finalizers")])
            }
        }
        try Self.validateOwnerReferences(updated, type: type)
        updated.withMetadata { metadata in
            for field in ["uid", "creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds",
                          "resourceVersion", "namespace"]
            {
                metadata[field] = storedMetadata[field]
            }
            metadata = Self.canonicalOrder(metadata)
        }
        if type.hasStatus {
            if let status = stored.status { updated.status = status } else { updated.object.removeValue(forKey: "status") }
        }
        if type.storageKey == Self.namespaceKey {
            // spec.finalizers of a namespace change only when the namespace is finalized.
            if let spec = stored.spec { updated.spec = spec } else { updated.object.removeValue(forKey: "spec") }
        }
        if type.tracksGeneration,
            Self.bodyChanged(stored, updated)
                || (type.annotationsBumpGeneration && Self.annotationsChanged(stored, updated))
        {
            updated.generation = (stored.generation ?? 0) + 1
        }
    }

    /// Whether the annotations differ, in any but their order.
    static func annotationsChanged(_ a: Resource, _ b: Resource) -> Bool {
        let old = a.annotations, new = b.annotations
        return old.count != new.count || old.contains { new[$0.key] != $0.value }
    }

    /// Whether anything but `apiVersion`, `kind`, `metadata` and `status` differs.
    static func bodyChanged(_ a: Resource, _ b: Resource) -> Bool {
        func body(_ resource: Resource) -> JSONValue {
            var members = resource.object
            for key in ["apiVersion", "kind", "metadata", "status"] { members.removeValue(forKey: key) }
            return .object(members)
        }
        return body(a) != body(b)
    }

    // MARK: Delete

    /// Deletes an object as a client asked.
    ///
    /// - Returns: the object as it was when deleted, or as marked for deletion.
    func delete(_ type: ResourceType, namespace: String?, name: String, options: DeleteOptions) throws -> Resource {
        let key = try Self.key(type, namespace: namespace, name: name)
        guard let stored = try load(key) else {
            throw APIError.notFound(resource: type.resource, group: type.group, name: name)
        }
        return try delete(key, stored: stored, type: type, options: options)
    }

    func delete(_ key: ObjectKey, stored: Resource, type: ResourceType, options: DeleteOptions) throws -> Resource {
        let name = key.name
        if let uid = options.preconditionUID, uid != stored.uid {
            throw APIError.conflict(
                resource: type.resource, group: type.group, name: name,
                reason: "Precondition failed: UID in precondition: \(uid), UID in object meta: \(stored.uid ?? "")")
        }
        if let rv = options.preconditionResourceVersion, rv != stored.resourceVersion {
            throw APIError.conflict(
                resource: type.resource, group: type.group, name: name,
                reason: "Precondition failed: ResourceVersion in precondition: \(rv), "
                    + "ResourceVersion in object meta: \(stored.resourceVersion ?? "")")
        }
        if key.type == Self.namespaceKey, Self.protectedNamespaces.contains(name) {
            throw APIError(
                code: 403, reason: .forbidden,
                message: "namespaces \"\(name)\" is forbidden: this namespace may not be deleted",
                kind: "namespaces", name: name)
        }
        if let graceful = try gracefulDelete(key, stored: stored, options: options) { return graceful }
        let (result, removed) = try deleteObject(key, existing: stored, policy: options.propagationPolicy)
        if removed { return stored }
        var out = result
        if dryRun { out.resourceVersion = stored.resourceVersion }
        return out
    }

    /// Deletes an object, or marks it for deletion when finalizers (its own, or the one the
    /// propagation policy adds) hold it — kube-apiserver's registry delete.
    ///
    /// - Returns: the object as deleted or marked, and whether it was deleted.
    func deleteObject(_ key: ObjectKey, existing: Resource, policy: PropagationPolicy?) throws
        -> (object: Resource, removed: Bool)
    {
        if key.type == Self.namespaceKey {
            return try markNamespaceTerminating(key, existing: existing)
        }
        let finalizers = existing.finalizers
        var orphan = false
        var foreground = false
        switch policy {
        case .orphan: orphan = true
        case .foreground: foreground = true
        case .background: break
        case nil:
            // The object's own finalizer decides, as kube's shouldOrphanDependents does.
            if let first = finalizers.first(where: { $0 == Finalizer.orphan || $0 == Finalizer.foregroundDeletion }) {
                orphan = first == Finalizer.orphan
            }
            foreground = finalizers.contains(Finalizer.foregroundDeletion) && !orphan
        }
        var newFinalizers = finalizers.filter { $0 != Finalizer.orphan && $0 != Finalizer.foregroundDeletion }
        if orphan { newFinalizers.append(Finalizer.orphan) }
        if foreground { newFinalizers.append(Finalizer.foregroundDeletion) }
        if newFinalizers.isEmpty {
            return (try remove(key, last: existing), true)
        }
        var updated = existing
        if Set(newFinalizers) != Set(finalizers) { updated.finalizers = newFinalizers }
        if !updated.isBeingDeleted {
            Self.markDeleting(&updated)
        }
        if updated == existing { return (existing, false) }
        let written = try replace(key, old: existing, new: updated)
        if let uid = written.uid {
            if foreground {
                for dependent in try dependents(of: uid) { enqueue(.attemptToDelete(dependent)) }
                enqueue(.deletingDependents(uid))
            }
            if orphan { enqueue(.orphan(uid)) }
        }
        return (written, false)
    }

    /// Sets `deletionTimestamp` and `deletionGracePeriodSeconds: 0`, bumping the generation.
    static func markDeleting(_ object: inout Resource) {
        object.withMetadata { metadata in
            if let generation = metadata["generation"]?.intValue, generation > 0 {
                metadata["generation"] = .int(generation + 1)
            }
            metadata["deletionTimestamp"] = .string(Identifiers.timestamp())
            metadata["deletionGracePeriodSeconds"] = .int(0)
            metadata = canonicalOrder(metadata)
        }
    }

    private func markNamespaceTerminating(_ key: ObjectKey, existing: Resource) throws -> (object: Resource, removed: Bool) {
        if existing.isBeingDeleted { return (existing, false) }
        var updated = existing
        updated.withMetadata { metadata in
            metadata["deletionTimestamp"] = .string(Identifiers.timestamp())
            metadata = Self.canonicalOrder(metadata)
        }
        var status = updated.status?.objectValue ?? [:]
        status["phase"] = "Terminating"
        updated.status = .object(status)
        let written = try replace(key, old: existing, new: updated)
        enqueue(.emptyNamespace(key.name))
        return (written, false)
    }
}
