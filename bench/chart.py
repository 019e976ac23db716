"""``helm-charts/basehub/values.yaml`` and ``values.schema.yaml`` shaped like the real chart.

The real chart values file has ~1,800 lines, indented sequences, double-quoted scalars,
block scalars, anchors, and the user-image default ``quay.io/jupyter/scipy-notebook`` with
``tag: "2024-03-18"``.
"""

from __future__ import annotations

DEFAULT_IMAGE = "quay.io/jupyter/scipy-notebook:2024-03-18"

_HEAD = """\
# Default values for basehub: every hub of every cluster starts from these.
userServiceAccount:
  enabled: true
  annotations: {}
nfs:
  enabled: false
  pv:
    enabled: false
    mountOptions:
      - soft
      - noatime
jupyterhub:
  custom:
    singleuserAdmin:
      extraVolumeMounts: &singleuser_admin_mounts
        - name: home
          mountPath: /home/jovyan/shared-readwrite
          subPath: _shared
  singleuser:
    # The default user image; hubs override it in their own values files.
    defaultUrl: /tree
    image:
      name: quay.io/jupyter/scipy-notebook
      tag: "2024-03-18"
    storage:
      type: static
      extraVolumeMounts: *singleuser_admin_mounts
    initContainers:
      - name: volume-mount-ownership-fix
        image: busybox:1.36.1
        command:
          - sh
          - -c
          - id && chown 1000:1000 /home/jovyan && ls -lhd /home/jovyan
  hub:
    extraConfig:
"""

_BLOCK = """\
      {index:02d}-config-{index}: |
        # configuration snippet {index}
        from kubespawner import KubeSpawner
        c.KubeSpawner.start_timeout = {timeout}
        c.JupyterHub.concurrent_spawn_limit = {limit}
        for name in ("a", "b", "c"):
            c.KubeSpawner.environment[name + "_{index}"] = "value-{index}"
"""

_TAIL_ITEM = """\
  service{index:03d}:
    enabled: {enabled}
    description: >-
      Helper service number {index}, rendered by the chart when enabled; the text
      wraps over two lines as chartpress leaves it.
    resources:
      requests:
        cpu: "0.{cpu}"
        memory: {memory}Mi
    tolerations:
      - key: hub.jupyter.org/dedicated
        operator: Equal
        value: core
        effect: NoSchedule
"""


def values_yaml(lines: int = 1800) -> str:
    """The chart's values.yaml, about ``lines`` long."""
    text = _HEAD
    index = 0
    while text.count("\n") < lines // 3:
        index += 1
        text += _BLOCK.format(index=index, timeout=300 + index, limit=10 + index)
    while text.count("\n") < lines:
        index += 1
        text += _TAIL_ITEM.format(
            index=index, enabled=str(index % 2 == 0).lower(), cpu=index % 9 + 1, memory=index * 8
        )
    return text


SCHEMA = """\
# Draft-07 schema of basehub values (the part the image keys live in).
$schema: http://json-schema.org/draft-07/schema#
type: object
additionalProperties: true
properties:
  jupyterhub:
    type: object
    properties:
      singleuser:
        type: object
        properties:
          image:
            type: object
            additionalProperties: false
            properties:
              name:
                type: string
              tag:
                type: string
              pullPolicy:
                type: string
                enum: [Always, IfNotPresent, Never]
          profileList:
            type: array
            items:
              type: object
              required: [display_name]
"""
