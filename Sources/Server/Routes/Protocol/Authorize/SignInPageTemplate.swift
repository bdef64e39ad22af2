/// The sign-in page of the authorization endpoint. The form posts back to the same path;
/// the pending authorization request travels only as the opaque `authorization_request`
/// reference, the CSRF token as a hidden field matching the cookie.
enum SignInPageTemplate {
    static let name = "sign-in"

    static let source = """
        {{<page}}{{$title}}Sign in{{/title}}{{$body}}<h1>Sign in</h1>
        <p class="muted">to continue to <strong>{{clientName}}</strong></p>
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        <form method="post" action="{{action}}">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        <input type="hidden" name="authorization_request" value="{{requestReference}}">
        <label for="tenant">Tenant</label>
        <input type="text" id="tenant" name="tenant" value="{{tenant}}" autocomplete="organization" required>
        <label for="username">User name</label>
        <input type="text" id="username" name="username" value="{{userName}}" autocomplete="username" required {{^hasUserName}}autofocus{{/hasUserName}}>
        <label for="password">Password</label>
        <input type="password" id="password" name="password" autocomplete="current-password" required {{#hasUserName}}autofocus{{/hasUserName}}>
        <button type="submit">Sign in</button>
        </form>{{/body}}{{/page}}
        """
}
