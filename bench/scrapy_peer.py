"""Generic Scrapy on a simulated gov.cn web: the yardstick bench/peer.sh runs
beside nianbao's crawl on the same world.

It is a broad crawl as Scrapy's documentation recommends one: robots.txt obeyed,
one request at a time per host with the same delay as nianbao's, every link
followed on the seeds' hosts and their gov.cn sub-domains, no retries, no
cookies. It prints one JSON line: responses (robots.txt's aside), seconds, peak
RSS, CPU. Scrapy's DOWNLOAD_DELAY runs from a request's start, nianbao's delay
from the answer's end: at equal settings Scrapy may ask a slow host more often.

Run with Debian's python3-scrapy: /usr/bin/python3 bench/scrapy_peer.py
--seeds FILE --proxy URL --delay S --seconds S.
"""
import argparse
import json
import os
import resource
import time
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor


def registered(host):
    """The registered domain a sub-domain belongs to (gov.cn names: the last three labels)."""
    host = host.split(":")[0]
    parts = host.split(".")
    if host.endswith(".gov.cn") and len(parts) > 3:
        return ".".join(parts[-3:])
    return host


class Peer(scrapy.Spider):
    name = "peer"

    def __init__(self, seeds, **kw):
        super().__init__(**kw)
        self.start_urls = seeds
        self.scopes = {registered(urlsplit(u).netloc) for u in seeds}
        self.links = LinkExtractor(deny_extensions=[])
        self.responses = 0

    def in_scope(self, url):
        host = urlsplit(url).netloc
        return registered(host) in self.scopes

    def parse(self, response):
        self.responses += 1
        if not hasattr(response, "text"):
            return  # an attachment: counted, not parsed
        for link in self.links.extract_links(response):
            if self.in_scope(link.url):
                yield scrapy.Request(link.url, callback=self.parse)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", required=True)
    ap.add_argument("--proxy", required=True)
    ap.add_argument("--delay", type=float, default=2.0)
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--concurrency", type=int, default=100)
    a = ap.parse_args()
    seeds = [l.strip() for l in open(a.seeds) if l.strip()]
    os.environ["http_proxy"] = os.environ["https_proxy"] = a.proxy
    process = CrawlerProcess(settings={
        # Scrapy's broad-crawl settings (docs: "Broad Crawls").
        "CONCURRENT_REQUESTS": a.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DOWNLOAD_DELAY": a.delay,
        "RANDOMIZE_DOWNLOAD_DELAY": False,
        "REACTOR_THREADPOOL_MAXSIZE": 20,
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
        "COOKIES_ENABLED": False,
        "RETRY_ENABLED": False,
        "DOWNLOAD_TIMEOUT": 30,
        "REDIRECT_ENABLED": True,
        "AJAXCRAWL_ENABLED": True,
        "ROBOTSTXT_OBEY": True,
        "DEPTH_PRIORITY": 1,
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        "CLOSESPIDER_TIMEOUT": a.seconds,
        "LOG_LEVEL": "WARNING",
        "USER_AGENT": "nianbao-peer-benchmark (Scrapy; +https://github.com/nianbao/nianbao)",
        "TELNETCONSOLE_ENABLED": False,
    })
    crawler = process.create_crawler(Peer)
    start = time.time()
    process.crawl(crawler, seeds=seeds)
    process.start()
    took = time.time() - start
    stats = crawler.stats.get_stats()
    print(json.dumps({
        # robots.txt answers aside, as nianbao's count has them aside.
        "responses": stats.get("response_received_count", 0) - stats.get("robotstxt/response_count", 0),
        "robots": stats.get("robotstxt/response_count", 0),
        "seconds": round(took, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cpu_s": round(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), 1),
    }))


if __name__ == "__main__":
    main()
