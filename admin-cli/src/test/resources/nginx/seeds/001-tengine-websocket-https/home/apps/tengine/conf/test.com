upstream test.com {
   server 192.168.1.5:9000;
}

server {
    listen       80;
    server_name  test.com;
    return 301 https://$host$request_uri;
}

server {
    listen       443 ssl http2;
    server_name  test.com;

    ssl_certificate      /home/apps/tengine/conf/ssl/test.com.crt;
    ssl_certificate_key  /home/apps/tengine/conf/ssl/test.com.key;

    ssl_session_cache    shared:SSL:1m;
    ssl_session_timeout  5m;

    ssl_ciphers  HIGH:!aNULL:!MD5;
    ssl_prefer_server_ciphers  on;

    location  ^~  /websocket {
        proxy_pass http://test.com;

        proxy_redirect    off;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;

        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
    }

}
