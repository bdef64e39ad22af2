/// The `/device` page (RFC 8628 §3.3): the user code, the tenant it belongs to once the code
/// is known, the user's credentials for that tenant, and Approve / Deny. The form has no
/// `action`, so it posts back to wherever the page was served, behind any path prefix.
enum DevicePageTemplate {
    static let source = """
        {{<page}}{{$title}}Approve a device{{/title}}{{$body}}<h1>Approve a device</h1>
        <p class="muted">A device or command line asked to sign in as you. Continue only if it shows the code below and you started it.</p>
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        <form method="post">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        <label for="user_code">Code</label>
        <input type="text" id="user_code" name="user_code" value="{{userCode}}" placeholder="XXXX-XXXX" autocomplete="off" autocapitalize="characters" spellcheck="false" required maxlength="16">
        {{#tenantName}}<p class="muted">Tenant: <strong>{{tenantName}}</strong> ({{tenantSlug}})</p>{{/tenantName}}
        <label for="user_name">User name</label>
        <input type="text" id="user_name" name="user_name" value="{{userName}}" autocomplete="username" required maxlength="256">
        <label for="password">Password</label>
        <input type="password" id="password" name="password" autocomplete="current-password" required maxlength="72">
        <button type="submit" name="action" value="approve">Approve</button>
        <button type="submit" name="action" value="deny">Deny</button>
        </form>{{/body}}{{/page}}
        """
}
