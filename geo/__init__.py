"""Village mobile and fibre coverage for Vietnamese digital-infrastructure plans.

The domain package: readers, Vietnamese names, administrative units before and after
01/07/2025, the village register, the plans' tables, coverage and indicators. Nothing here
imports Streamlit or folium.
"""

__version__ = "0.1.0"
