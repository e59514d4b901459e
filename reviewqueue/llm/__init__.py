"""LLM signals over any OpenAI-compatible endpoint (issue 17).

Everything here is optional: with no `REVIEWQUEUE_LLM_BASE_URL` the hooks return at once and the
product behaves as it did before this app existed.
"""
