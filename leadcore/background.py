"""The worker's catalogue: importing this registers every feature's job bodies on :mod:`leadcore.jobs`.

A new job kind is one line here (its module's import) plus its ``@job``/``periodic`` body in the feature package.
The worker (``python -m leadcore worker``) and the Streamlit server's in-process worker import this module.
"""

from leadcore.discovery import background as discovery_jobs
from leadcore.enrichment import jobs as enrichment_jobs
from leadcore.outreach import jobs as outreach_jobs
from leadcore.webhooks import jobs as webhook_jobs

JOB_MODULES = (discovery_jobs, enrichment_jobs, outreach_jobs, webhook_jobs)

__all__ = ["JOB_MODULES"]
