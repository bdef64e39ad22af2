import Evaluator
import PolicyLang

/// The three scenarios of issue 4, each from a fixed seed: the same arguments always give
/// the same rules, entities and requests.
public enum Scenarios {
    // MARK: (a) RBAC: 10k users, 1k groups nested 4 deep, 100 rules

    static let rbacGroupLevels = [10, 40, 150, 800]
    static let rbacTypes = ["Report", "Invoice", "Dashboard", "Project", "Repo", "Ticket", "Wiki", "Secret", "Pipeline", "Budget"]
    static let rbacActions = ["view", "edit", "delete", "approve", "export"]

    static func rbacGroup(_ level: Int, _ k: Int) -> EntityUID { uid("Group", "g\(level)-\(k)") }

    /// `extraRules` adds rules on resource types no request names (they cannot apply), to
    /// show cost against rules that cannot apply.
    public static func rbac(users: Int = 10_000, resourcesPerType: Int = 200, requests: Int = 10_000, extraRules: Int = 0, seed: UInt64 = 1) -> Scenario {
        let levels = rbacGroupLevels
        let groupCount = levels.reduce(0, +)
        let types = rbacTypes
        var r = SeededRandom(seed: seed)
        var rules: [BenchRule] = [
            BenchRule(id: "deny-inactive", effect: "deny", principal: .type("User"), actions: rbacActions,
                      when: "principal.active == false"),
            BenchRule(id: "deny-secret-above-clearance", effect: "deny", principal: .type("User"),
                      actions: ["view", "edit", "export"], resource: .type("Secret"),
                      when: "resource.sensitivity > principal.clearance"),
        ]
        let conditions: [String?] = [nil, "resource.department == principal.department",
                                     "resource.sensitivity <= principal.clearance", "principal.clearance >= 2"]
        for i in 0..<98 {
            let level = r.int(4)
            let a1 = rbacActions[r.int(5)], a2 = rbacActions[r.int(5)]
            rules.append(BenchRule(
                id: "role-\(i)", principal: .typeIn("User", rbacGroup(level, r.int(levels[level]))),
                actions: a1 == a2 ? [a1] : [a1, a2], resource: .type(types[r.int(types.count)]),
                when: conditions[r.int(conditions.count)]))
        }
        for i in 0..<extraRules {
            rules.append(BenchRule(
                id: "other-\(i)", principal: .typeIn("User", rbacGroup(0, r.int(levels[0]))),
                actions: [rbacActions[r.int(5)]], resource: .type("Other\(i % 50)"),
                when: conditions[1 + r.int(3)]))
        }
        let userBase = groupCount
        let resourceBase = userBase + users
        let entity: @Sendable (Int) -> Entity = { index in
            var r = SeededRandom.at(seed, index)
            if index < userBase {
                var level = 0, k = index
                while k >= levels[level] { k -= levels[level]; level += 1 }
                let parents = level == 0 ? [] : [rbacGroup(level - 1, r.int(levels[level - 1]))]
                return Entity(uid: rbacGroup(level, k), attributes: [:], parents: parents)
            }
            if index < resourceBase {
                let j = index - userBase
                return Entity(
                    uid: uid("User", "u\(j)"),
                    attributes: ["active": .bool(!r.chance(0.03)), "clearance": .long(Int64(r.int(4))),
                                 "department": .string("dept\(j % 8)")],
                    parents: [rbacGroup(3, r.int(levels[3])), rbacGroup(3, r.int(levels[3]))])
            }
            let k = index - resourceBase
            return Entity(
                uid: uid(types[k / resourcesPerType], "r\(k % resourcesPerType)"),
                attributes: ["sensitivity": .long(Int64(r.int(4))), "department": .string("dept\(k % 8)")])
        }
        var requestList: [Request] = []
        requestList.reserveCapacity(requests)
        for _ in 0..<requests {
            requestList.append(Request(
                principal: uid("User", "u\(r.int(users))"), action: uid("Action", rbacActions[r.int(5)]),
                resource: uid(types[r.int(types.count)], "r\(r.int(resourcesPerType))")))
        }
        return Scenario(name: extraRules == 0 ? "rbac" : "rbac-plus-\(extraRules)", rules: rules,
                        entityCount: resourceBase + types.count * resourcesPerType, entity: entity, requests: requestList)
    }

    // MARK: (b) Document sharing: 100k documents in folders 6 deep, 1k rules

    /// Folder levels 1...6 with fan-out 4: 4, 16, …, 4096 folders.
    static let folderLevels = (1...6).map { 1 << (2 * $0) }
    static let documentActions = ["read", "write", "share", "delete"]

    static func folder(_ level: Int, _ k: Int) -> EntityUID { uid("Folder", "f\(level)-\(k)") }

    struct DocumentFacts {
        var owner: Int, editors: Int, viewers: Int
    }

    static func documentFacts(_ i: Int, seed: UInt64, users: Int, teams: Int) -> (DocumentFacts, SeededRandom) {
        var r = SeededRandom.at(seed, -1 - i)
        return (DocumentFacts(owner: r.int(users), editors: r.int(teams), viewers: r.int(teams)), r)
    }

    /// Edges ≈ documents + users × 2 + teams + 5,460 (folders).
    public static func documents(documents: Int = 100_000, users: Int = 10_000, teams: Int = 500, requests: Int = 10_000, rules ruleCount: Int = 1_000, seed: UInt64 = 2) -> Scenario {
        let departments = 20
        let folderCount = folderLevels.reduce(0, +)
        var rules: [BenchRule] = [
            BenchRule(id: "deny-classified", effect: "deny", principal: .type("User"), actions: documentActions,
                      resource: .type("Document"), when: "resource.classification > principal.clearance",
                      unless: "resource.owner == principal"),
            BenchRule(id: "owner", principal: .type("User"), actions: documentActions, resource: .type("Document"),
                      when: "resource.owner == principal"),
            BenchRule(id: "editors", principal: .type("User"), actions: ["read", "write"], resource: .type("Document"),
                      when: "principal in resource.editors"),
            BenchRule(id: "viewers", principal: .type("User"), actions: ["read"], resource: .type("Document"),
                      when: "principal in resource.viewers"),
            BenchRule(id: "workspace", principal: .type("User"), actions: ["read"], resource: .type("Document"),
                      when: "resource in principal.workspace"),
            BenchRule(id: "public", principal: .type("User"), actions: ["read"], resource: .type("Document"),
                      when: "resource.public"),
        ]
        rules += fillerRules(count: ruleCount - rules.count, teams: teams, seed: seed)
        let teamBase = folderCount + departments
        let userBase = teamBase + teams
        let documentBase = userBase + users
        let entity: @Sendable (Int) -> Entity = { index in
            if index < folderCount {
                var level = 1, k = index
                while k >= folderLevels[level - 1] { k -= folderLevels[level - 1]; level += 1 }
                return Entity(uid: folder(level, k), attributes: ["level": .long(Int64(level))],
                              parents: level == 1 ? [] : [folder(level - 1, k / 4)])
            }
            if index < teamBase { return Entity(uid: uid("Department", "dep\(index - folderCount)")) }
            if index < userBase {
                let k = index - teamBase
                return Entity(uid: uid("Team", "t\(k)"), parents: [uid("Department", "dep\(k % departments)")])
            }
            if index < documentBase {
                let j = index - userBase
                var r = SeededRandom.at(seed, index)
                let second = (j * 7 + 3) % teams
                return Entity(
                    uid: uid("User", "u\(j)"),
                    attributes: ["clearance": .long(Int64(r.int(4))), "workspace": .entity(folder(2, r.int(16)))],
                    parents: second == j % teams ? [uid("Team", "t\(j % teams)")] : [uid("Team", "t\(j % teams)"), uid("Team", "t\(second)")])
            }
            let i = index - documentBase
            var (facts, r) = documentFacts(i, seed: seed, users: users, teams: teams)
            return Entity(
                uid: uid("Document", "d\(i)"),
                attributes: ["owner": .entity(uid("User", "u\(facts.owner)")),
                             "editors": .entity(uid("Team", "t\(facts.editors)")),
                             "viewers": .entity(uid("Team", "t\(facts.viewers)")),
                             "classification": .long(r.chance(0.8) ? 0 : Int64(1 + r.int(3))),
                             "public": .bool(r.chance(0.02))],
                parents: [folder(6, r.int(folderLevels[5]))])
        }
        var r = SeededRandom(seed: seed &+ 100)
        var requestList: [Request] = []
        requestList.reserveCapacity(requests)
        for _ in 0..<requests {
            let i = r.int(documents)
            let (facts, _) = documentFacts(i, seed: seed, users: users, teams: teams)
            let roll = r.int(100)
            let action = roll < 70 ? "read" : roll < 90 ? "write" : roll < 95 ? "share" : "delete"
            let who = r.int(100)
            let member = { (team: Int, r: inout SeededRandom) in team + teams * r.int(max(1, users / teams)) }
            let principal = who < 30 ? facts.owner : who < 55 ? member(facts.editors, &r) : who < 75 ? member(facts.viewers, &r) : r.int(users)
            requestList.append(Request(principal: uid("User", "u\(principal)"), action: uid("Action", action),
                                       resource: uid("Document", "d\(i)")))
        }
        return Scenario(name: "documents", rules: rules, entityCount: documentBase + documents, entity: entity, requests: requestList)
    }

    /// Rules on 49 other resource types and 20 other actions: a realistic application's
    /// other permissions, none of which can apply to a document request.
    public static func fillerRules(count: Int, teams: Int = 500, seed: UInt64 = 3) -> [BenchRule] {
        var r = SeededRandom(seed: seed &+ 7)
        let conditions = ["principal.clearance >= 1", "principal.clearance >= 2 && principal has workspace",
                          "context has ticket", "principal.clearance < 3 || principal has admin"]
        return (0..<max(0, count)).map { i in
            BenchRule(id: "kind-rule-\(i)", effect: r.chance(0.1) ? "deny" : "allow",
                      principal: .typeIn("User", uid("Team", "t\(r.int(teams))")),
                      actions: ["op\(r.int(20))"], resource: .type("Kind\(r.int(49))"),
                      when: conditions[r.int(conditions.count)])
        }
    }

    // MARK: (c) Licensing: features × entitlements × seats, 50 rules

    static let plans = ["free", "pro", "team", "enterprise"]

    public static func licensing(accounts: Int = 1_000, users: Int = 20_000, features: Int = 200, addons: Int = 10, requests: Int = 10_000, seed: UInt64 = 4) -> Scenario {
        let settings = 50, reports = 500
        var rules: [BenchRule] = [
            BenchRule(id: "deny-suspended-seat", effect: "deny", principal: .type("User"),
                      actions: ["use", "export", "configure", "invite"], when: "principal.seat.status == \"suspended\""),
            BenchRule(id: "deny-expired-seat", effect: "deny", principal: .type("User"), actions: ["use", "export"],
                      when: "principal.seat.expires < context.today"),
            BenchRule(id: "plan-feature", principal: .type("User"), actions: ["use"], resource: .type("Feature"),
                      when: "principal.seat.tier == \"full\" && resource in principal.account.plan"),
            BenchRule(id: "viewer-feature", principal: .type("User"), actions: ["use"], resource: .type("Feature"),
                      when: "resource.tier == \"viewer\" && resource in principal.account.plan"),
            BenchRule(id: "addon-feature", principal: .type("User"), actions: ["use"], resource: .type("Feature"),
                      when: "resource has addon && principal.account in resource.addon"),
            BenchRule(id: "export-quota", principal: .type("User"), actions: ["export"], resource: .type("Report"),
                      when: "resource in principal.account && principal.account.exportsUsed < principal.account.exportsLimit"),
            BenchRule(id: "invite-within-seats", principal: .type("User"), actions: ["invite"], resource: .type("Account"),
                      when: "principal.role == \"admin\" && principal in resource && resource.seatsUsed < resource.seatLimit"),
            BenchRule(id: "billing-admin", principal: .type("User"), actions: ["billing"], resource: .type("Account"),
                      when: "principal.role == \"admin\" && principal in resource"),
            BenchRule(id: "configure-admin", principal: .type("User"), actions: ["configure"], resource: .type("Setting"),
                      when: "principal.role == \"admin\""),
        ]
        var r = SeededRandom(seed: seed)
        let otherTypes = ["Integration", "ApiKey", "Webhook", "Workspace", "AuditLog", "Dashboard", "Sandbox"]
        let otherActions = ["create", "rotate", "delete", "read"]
        let otherConditions = ["principal.role == \"admin\"", "principal.account.plan == Plan::\"enterprise\"",
                               "principal.account.region == \"eu\" && principal.role == \"admin\""]
        for i in 0..<41 {
            rules.append(BenchRule(id: "other-\(i)", effect: i % 10 == 9 ? "deny" : "allow", principal: .type("User"),
                                   actions: [otherActions[r.int(4)]], resource: .type(otherTypes[r.int(otherTypes.count)]),
                                   when: otherConditions[r.int(otherConditions.count)]))
        }
        let addonBase = plans.count
        let featureBase = addonBase + addons
        let accountBase = featureBase + features
        let seatBase = accountBase + accounts
        let userBase = seatBase + users
        let reportBase = userBase + users
        let settingBase = reportBase + reports
        let entity: @Sendable (Int) -> Entity = { index in
            var r = SeededRandom.at(seed, index)
            if index < addonBase {
                return Entity(uid: uid("Plan", plans[index]), parents: index + 1 < plans.count ? [uid("Plan", plans[index + 1])] : [])
            }
            if index < featureBase { return Entity(uid: uid("Addon", "addon\(index - addonBase)")) }
            if index < accountBase {
                let k = index - featureBase
                let tier: Value = .string(r.chance(0.3) ? "viewer" : "full")
                if r.chance(0.2) {
                    let addon = uid("Addon", "addon\(r.int(addons))")
                    return Entity(uid: uid("Feature", "feat\(k)"), attributes: ["tier": tier, "addon": .entity(addon)], parents: [addon])
                }
                return Entity(uid: uid("Feature", "feat\(k)"), attributes: ["tier": tier], parents: [uid("Plan", plans[r.int(4)])])
            }
            if index < seatBase {
                let k = index - accountBase
                let limit = 10 + r.int(50)
                let exportsLimit = 100 * (1 + r.int(5))
                let owned = (0..<r.int(3)).map { _ in uid("Addon", "addon\(r.int(addons))") }
                return Entity(
                    uid: uid("Account", "a\(k)"),
                    attributes: ["plan": .entity(uid("Plan", plans[r.int(4)])), "seatLimit": .long(Int64(limit)),
                                 "seatsUsed": .long(Int64(r.int(limit + 5))), "exportsLimit": .long(Int64(exportsLimit)),
                                 "exportsUsed": .long(Int64(r.int(exportsLimit + 50))), "region": .string(r.chance(0.5) ? "eu" : "us")],
                    parents: Array(Set(owned)).sorted())
            }
            if index < userBase {
                let j = index - seatBase
                return Entity(
                    uid: uid("Seat", "s\(j)"),
                    attributes: ["tier": .string(r.chance(0.25) ? "viewer" : "full"),
                                 "status": .string(r.chance(0.02) ? "suspended" : "active"),
                                 "expires": .long(Int64(20_000 - 20 + r.int(400)))],
                    parents: [uid("Account", "a\(j % accounts)")])
            }
            if index < reportBase {
                let j = index - userBase
                return Entity(
                    uid: uid("User", "u\(j)"),
                    attributes: ["account": .entity(uid("Account", "a\(j % accounts)")), "seat": .entity(uid("Seat", "s\(j)")),
                                 "role": .string(r.chance(0.05) ? "admin" : "member")],
                    parents: [uid("Account", "a\(j % accounts)")])
            }
            if index < settingBase {
                let k = index - reportBase
                return Entity(uid: uid("Report", "rep\(k)"), parents: [uid("Account", "a\(k % accounts)")])
            }
            return Entity(uid: uid("Setting", "set\(index - settingBase)"))
        }
        var requestList: [Request] = []
        requestList.reserveCapacity(requests)
        for _ in 0..<requests {
            let j = r.int(users)
            let own = j % accounts
            let roll = r.int(100)
            let (action, resource): (String, EntityUID) =
                roll < 70 ? ("use", uid("Feature", "feat\(r.int(features))"))
                : roll < 80 ? ("export", uid("Report", "rep\(r.chance(0.8) ? own + accounts * r.int(max(1, reports / accounts)) : r.int(reports))"))
                : roll < 88 ? ("invite", uid("Account", "a\(r.chance(0.8) ? own : r.int(accounts))"))
                : roll < 93 ? ("billing", uid("Account", "a\(r.chance(0.8) ? own : r.int(accounts))"))
                : ("configure", uid("Setting", "set\(r.int(settings))"))
            requestList.append(Request(principal: uid("User", "u\(j)"), action: uid("Action", action), resource: resource,
                                       context: ["today": .long(20_000)]))
        }
        return Scenario(name: "licensing", rules: rules, entityCount: settingBase + settings, entity: entity, requests: requestList)
    }

    /// Scenario (b) sized by its number of parent edges: about `edges` of them.
    public static func documents(edges: Int, requests: Int = 10_000) -> Scenario {
        if edges <= 20_000 { return documents(documents: max(1_000, edges - 7_560), users: 1_000, teams: 100, requests: requests) }
        return documents(documents: max(1_000, edges - 25_960), users: 10_000, teams: 500, requests: requests)
    }
}
