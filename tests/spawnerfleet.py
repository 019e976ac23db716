"""A fleet of the five cases where hubs and KubeSpawner 7 differed (issue 16, item 5).

Cluster ``k``, basehub hubs:

* ``binder``: BinderHub's spawner (``custom.binderhubUI.enabled``) with its default
  ``auth_enabled: false``: every server runs what BinderHub built.  ``binder-auth`` sets
  ``hub.config.BinderSpawnerMixin.auth_enabled: true``, so a server started from the hub
  runs the chart default.
* ``dupes``: two profiles with one display name and no slug: KubeSpawner loads the first.
* ``options``: a profile whose ``flavor`` option, after ``image``, sets the image too (the
  last applied wins), one whose ``early`` option comes before ``image``, and one whose
  ``other`` option has an unlisted choice that sets it (``fixed``'s is not enabled).
* ``hubconfig``: ``hub.config.KubeSpawner.image`` over ``singleuser.image``.
* ``nulled``: ``image: null`` in one file, a tag only in a later one: the name is the
  chart's (the null dropped ``full.values.yaml``'s).
"""

from __future__ import annotations

from fleetfixture import CHART

# basehub's 0-binderspawnermixin extraConfig (BinderHub's BinderSpawnerMixin), as the
# real chart carries it, from its imports on
MIXIN = '''\
        from tornado import web
        from traitlets import Bool, Unicode
        from traitlets.config import Configurable


        class BinderSpawnerMixin(Configurable):
            """
            Mixin to convert a JupyterHub container spawner to a BinderHub spawner

            Container spawner must support the following properties that will be set
            via spawn options:
            - image: Container image to launch
            - token: JupyterHub API token
            """

            def __init__(self, *args, **kwargs):
                # Is this right? Is it possible to having multiple inheritance with both
                # classes using traitlets?
                # https://stackoverflow.com/questions/9575409/calling-parent-class-init-with-multiple-inheritance-whats-the-right-way
                # https://github.com/ipython/traitlets/pull/175
                super().__init__(*args, **kwargs)

            auth_enabled = Bool(
                False,
                help="""
                Enable authenticated binderhub setup.

                Requires `jupyterhub-singleuser` to be available inside the repositories
                being built.
                """,
                config=True,
            )

            cors_allow_origin = Unicode(
                "",
                help="""
                Origins that can access the spawned notebooks.

                Sets the Access-Control-Allow-Origin header in the spawned
                notebooks. Set to '*' to allow any origin to access spawned
                notebook servers.

                See also BinderHub.cors_allow_origin in binderhub config
                for controlling CORS policy for the BinderHub API endpoint.
                """,
                config=True,
            )

            def get_args(self):
                if self.auth_enabled:
                    args = super().get_args()
                else:
                    args = [
                        "--ip=0.0.0.0",
                        f"--port={self.port}",
                        f"--NotebookApp.base_url={self.server.base_url}",
                        f"--NotebookApp.token={self.user_options['token']}",
                        "--NotebookApp.trust_xheaders=True",
                    ]
                    if self.default_url:
                        args.append(f"--NotebookApp.default_url={self.default_url}")

                    if self.cors_allow_origin:
                        args.append("--NotebookApp.allow_origin=" + self.cors_allow_origin)
                    # allow_origin=* doesn't properly allow cross-origin requests to single files
                    # see https://github.com/jupyter/notebook/pull/5898
                    if self.cors_allow_origin == "*":
                        args.append("--NotebookApp.allow_origin_pat=.*")
                    args += self.args
                    # ServerApp compatibility: duplicate NotebookApp args
                    for arg in list(args):
                        if arg.startswith("--NotebookApp."):
                            args.append(arg.replace("--NotebookApp.", "--ServerApp."))
                return args

            def start(self):
                if not self.auth_enabled:
                    if "token" not in self.user_options:
                        raise web.HTTPError(400, "token required")
                    if "image" not in self.user_options:
                        raise web.HTTPError(400, "image required")
                if "image" in self.user_options:
                    self.image = self.user_options["image"]
                return super().start()

            def get_env(self):
                env = super().get_env()
                if "repo_url" in self.user_options:
                    env["BINDER_REPO_URL"] = self.user_options["repo_url"]
                for key in (
                    "binder_ref_url",
                    "binder_launch_host",
                    "binder_persistent_request",
                    "binder_request",
                ):
                    if key in self.user_options:
                        env[key.upper()] = self.user_options[key]
                return env
'''

CHART_WITH_MIXIN = (
    CHART
    + """\
  hub:
    extraConfig:
      0-binderspawnermixin: |
"""
    + MIXIN
)

CLUSTER = """\
name: k
hubs:
- name: binder
  display_name: K binder
  helm_chart: basehub
  helm_chart_values_files:
  - binder.values.yaml
- name: binder-auth
  display_name: K binder with auth
  helm_chart: basehub
  helm_chart_values_files:
  - binder-auth.values.yaml
- name: dupes
  display_name: K dupes
  helm_chart: basehub
  helm_chart_values_files:
  - dupes.values.yaml
- name: options
  display_name: K options
  helm_chart: basehub
  helm_chart_values_files:
  - options.values.yaml
- name: hubconfig
  display_name: K hub config
  helm_chart: basehub
  helm_chart_values_files:
  - hubconfig.values.yaml
- name: nulled
  display_name: K nulled
  helm_chart: basehub
  helm_chart_values_files:
  - full.values.yaml
  - null.values.yaml
  - nulled.values.yaml
"""

BINDER = """\
jupyterhub:
  custom:
    binderhubUI:
      enabled: true
binderhub-service:
  enabled: true
"""

BINDER_AUTH = """\
jupyterhub:
  custom:
    binderhubUI:
      enabled: true
  hub:
    config:
      BinderSpawnerMixin:
        auth_enabled: true
binderhub-service:
  enabled: true
"""

DUPES = """\
jupyterhub:
  singleuser:
    profileList:
    - display_name: Same
      kubespawner_override:
        image: org/first:1
    - display_name: Same
      kubespawner_override:
        image: org/second:1
"""

OPTIONS = """\
jupyterhub:
  singleuser:
    profileList:
    - display_name: Late
      slug: late
      profile_options:
        image:
          display_name: Image
          choices:
            a:
              display_name: A
              kubespawner_override:
                image: org/a:1
            b:
              display_name: B
              kubespawner_override:
                image: org/b:1
        flavor:
          display_name: Flavor
          choices:
            x:
              display_name: X
              kubespawner_override:
                image: org/x:1
            y:
              display_name: Y
              kubespawner_override:
                mem_limit: 2G
    - display_name: Early
      slug: early
      profile_options:
        early:
          display_name: Early
          choices:
            e:
              display_name: E
              kubespawner_override:
                image: org/e:1
        image:
          display_name: Image
          choices:
            c:
              display_name: C
              kubespawner_override:
                image: org/c:1
            d:
              display_name: D
    - display_name: Typed
      slug: typed
      kubespawner_override:
        image: org/typed:1
      profile_options:
        image:
          display_name: Image
          choices:
            f:
              display_name: F
              kubespawner_override:
                image: org/f:1
            n:
              display_name: N
        other:
          display_name: Other
          unlisted_choice:
            enabled: true
            kubespawner_override:
              image: "{value}"
          choices:
            g:
              display_name: G
        fixed:
          display_name: Fixed
          unlisted_choice:
            enabled: false
            kubespawner_override:
              image: "{value}"
          choices:
            h:
              display_name: H
"""

HUBCONFIG = """\
jupyterhub:
  hub:
    config:
      KubeSpawner:
        image: org/hubconfig:1
  singleuser:
    image:
      name: org/single
      tag: "1"
    profileList:
    - display_name: Plain
      slug: plain
    - display_name: Own
      slug: own
      kubespawner_override:
        image: org/own:1
"""

FULL = """\
jupyterhub:
  singleuser:
    image:
      name: org/full
      tag: "1"
"""

NULL = """\
jupyterhub:
  singleuser:
    image: null
"""

NULLED = """\
jupyterhub:
  singleuser:
    image:
      tag: "9"
"""

FILES = {
    "helm-charts/basehub/values.yaml": CHART_WITH_MIXIN,
    "config/clusters/k/cluster.yaml": CLUSTER,
    "config/clusters/k/binder.values.yaml": BINDER,
    "config/clusters/k/binder-auth.values.yaml": BINDER_AUTH,
    "config/clusters/k/dupes.values.yaml": DUPES,
    "config/clusters/k/options.values.yaml": OPTIONS,
    "config/clusters/k/hubconfig.values.yaml": HUBCONFIG,
    "config/clusters/k/full.values.yaml": FULL,
    "config/clusters/k/null.values.yaml": NULL,
    "config/clusters/k/nulled.values.yaml": NULLED,
    "hubs.toml": 'tree = "."\n',
}
