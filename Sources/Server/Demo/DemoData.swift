import Evaluator
import PolicyLang

/// What `arbiter serve --demo` puts in the data directory: a tenant `demo` whose documents
/// are guarded by a small tenant policy bundle. Names here are the natural keys the seeder
/// finds things by on a second start, so a reused data directory is completed, never
/// duplicated.
enum DemoData {
    static let tenantSlug = "demo"
    static let tenantName = "Demo Corp"
    static let administrator = "demo-admin"
    static let administratorEmail = "admin@demo.example"
    static let plan = "developer"
    static let actor = "operator:demo"

    /// Members of the first organization (user name → group name). They get random
    /// passwords nobody is told: only demo-admin signs in.
    static let members: [(userName: String, group: String)] = [
        ("alice", "engineering"), ("bob", "engineering"), ("carol", "finance"),
    ]
    static let groups = ["engineering", "finance"]

    /// Folders name the group whose members may read their documents.
    static let folders: [(id: String, readers: String)] = [("engineering", "engineering"), ("finance", "finance")]
    static let documents: [(id: String, owner: String, folder: String, archived: Bool)] = [
        ("roadmap", "alice", "engineering", false),
        ("design-notes", "bob", "engineering", false),
        ("budget-2025", "carol", "finance", true),
    ]

    static let deviceHardwareId = "DEMO-LAPTOP-0001"
    static let deviceName = "Alice's laptop"

    static let applicationName = "Demo documents"
    static let clientName = "Demo checker"
    /// `arbiter.runtime.check` lets the client ask about other principals (the users).
    static let clientScopes = ["arbiter.runtime.check"]

    static let bundleFile = "demo-documents.yaml"
    static let bundle = """
        kind: policy
        id: demo-documents
        rules:
          - id: owners-work-on-their-documents
            effect: allow
            principal: User
            actions: [read, edit, share]
            resource: Document
            when: resource.owner == principal
            annotations: {reason: "owners read, edit and share their own documents"}
          - id: folder-readers-read
            effect: allow
            principal: User
            actions: [read]
            resource: Document
            when: principal in resource.folder.readers
            annotations: {reason: "members of a folder's reader group read its documents"}
          - id: archived-documents-are-read-only
            effect: deny
            actions: [edit, share]
            resource: Document
            when: resource.archived
            annotations: {reason: "nobody edits or shares an archived document, not even its owner"}
          - id: trusted-devices-sync-folders
            effect: allow
            principal: Device
            actions: [sync]
            resource: Folder
            when: principal.trustLevel >= 3
            annotations: {reason: "devices an administrator marked trusted may sync folders"}
        """

    /// Folders and documents as graph entities, given the ids the identity records got.
    static func entities(userIds: [String: String], groupIds: [String: String]) -> [Entity] {
        var entities: [Entity] = []
        for folder in folders {
            guard let group = groupIds[folder.readers] else { continue }
            entities.append(Entity(
                uid: folderUID(folder.id), attributes: ["name": .string(folder.id), "readers": .entity(IdentityFacts.groupUID(group))]))
        }
        for document in documents {
            guard let owner = userIds[document.owner] else { continue }
            entities.append(Entity(
                uid: documentUID(document.id),
                attributes: [
                    "owner": .entity(IdentityFacts.userUID(owner)), "folder": .entity(folderUID(document.folder)),
                    "archived": .bool(document.archived),
                ],
                parents: [folderUID(document.folder)]))
        }
        return entities
    }

    static func folderUID(_ id: String) -> EntityUID { EntityUID(type: "Folder", id: id) }
    static func documentUID(_ id: String) -> EntityUID { EntityUID(type: "Document", id: id) }
}
